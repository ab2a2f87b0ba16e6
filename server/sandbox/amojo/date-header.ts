/**
 * The `Date` header of a Chats API request (chats-api.md §2.3): an RFC 2822 date-time. amojo reads it
 * for the 15-minute signature window, so the emulator parses it the way a real RFC 2822 parser does:
 * any numeric zone offset (`+0000`, or `+0300` from PHP's `date(DATE_RFC2822)` under a Moscow
 * timezone), the obsolete `GMT`/`UT` zones (JS `toUTCString()`), optional seconds and weekday. A date
 * that names no real instant (31 Feb, 25:00, a weekday that is not the date's) is refused.
 */
import { RFC2822_DAYS, RFC2822_MONTHS } from '../../amojo/signing.js';

const DATE_TIME =
  /^(?:([A-Z][a-z]{2}), *)?(\d{1,2}) +([A-Z][a-z]{2}) +(\d{4}) +(\d{2}):(\d{2})(?::(\d{2}))? +(?:([+-])(\d{2})(\d{2})|GMT|UT)$/;

/** Milliseconds since the epoch, or null when the value is not an RFC 2822 date-time of a real instant. */
export function parseAmojoDate(value: string): number | null {
  const m = DATE_TIME.exec(value.trim());
  if (!m) return null;
  const [, dayName, day, monthName, year, hour, minute, second = '00', sign, offsetHours, offsetMinutes] = m;
  const month = RFC2822_MONTHS.indexOf(monthName as (typeof RFC2822_MONTHS)[number]);
  if (month < 0) return null;
  const local = [Number(year), month, Number(day), Number(hour), Number(minute), Number(second)] as const;
  const localMs = Date.UTC(...local);
  const d = new Date(localMs);
  // Date.UTC rolls 31 Feb over into March and 24:00 into the next day; a real parser refuses both.
  const roundTrip = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  if (!roundTrip.every((v, i) => v === local[i])) return null;
  // The weekday belongs to the local date written in the header, not to the UTC instant.
  if (dayName !== undefined && RFC2822_DAYS[d.getUTCDay()] !== dayName) return null;
  if (sign === undefined) return localMs;
  if (Number(offsetMinutes) > 59) return null;
  const offsetMs = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  // `+0300` means local time is three hours ahead of UTC.
  return sign === '+' ? localMs - offsetMs : localMs + offsetMs;
}
