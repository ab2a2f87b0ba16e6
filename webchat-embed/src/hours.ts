/**
 * Working hours on the visitor's side: whether the site's managers are at work now, in the admin's
 * time zone (not the visitor's). The backend has the same rule (server/platforms/webchat/
 * working-hours.ts) and decides, for each message, whether amoCRM marks it as written out of hours.
 */
import type { WorkingHours } from './model.js';

/** True when `at` falls in one of the day's ranges (start included, end excluded); no hours = always open. */
export function isOpenAt(hours: WorkingHours | undefined, at: number): boolean {
  if (!hours) return true;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone: hours.timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  } catch {
    return true; // A time zone this browser does not know: better open than wrongly closed.
  }
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const time = `${part('hour')}:${part('minute')}`;
  return (hours.days[part('weekday').slice(0, 3).toLowerCase()] ?? []).some(([from, to]) => time >= from && time < to);
}
