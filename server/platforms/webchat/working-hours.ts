/**
 * Working hours of a site's chat (the `hours` setting): per weekday, ranges of local time in the
 * admin's time zone. The bubble has the same rule (webchat-embed/src/hours.ts) to show its away
 * message; this one decides, when a message arrives, whether the managers are told it was written
 * out of hours, so a visitor's clock or a cached page never decides that.
 */
import type { BubbleSettings } from './bubble-settings.js';

type Hours = NonNullable<BubbleSettings['hours']>;

const DAY_INDEX = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Weekday and `HH:MM` of the instant `at` in `timeZone`. */
export function localTime(at: number, timeZone: string): { day: (typeof DAY_INDEX)[number]; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = part('weekday').slice(0, 3).toLowerCase() as (typeof DAY_INDEX)[number];
  return { day, time: `${part('hour')}:${part('minute')}` };
}

/** True when `at` falls in one of the day's ranges (start included, end excluded); `null` hours = always open. */
export function isWithinHours(hours: Hours | null, at: number): boolean {
  if (!hours) return true;
  const { day, time } = localTime(at, hours.timezone);
  return (hours.days[day] ?? []).some(([from, to]) => time >= from && time < to);
}

/**
 * What the managers read above a message written out of hours: a moon (clear in any language) and
 * the words in the account's language, English when it is not known.
 */
const OUT_OF_HOURS_NOTE: Record<string, string> = {
  ru: '🌙 Написано в нерабочее время',
  en: '🌙 Written outside working hours',
  es: '🌙 Escrito fuera del horario de atención',
  pt: '🌙 Escrito fora do horário de atendimento',
};

export function outOfHoursNote(language: string | null): string {
  const primary = (language ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return OUT_OF_HOURS_NOTE[primary] ?? OUT_OF_HOURS_NOTE['en']!;
}
