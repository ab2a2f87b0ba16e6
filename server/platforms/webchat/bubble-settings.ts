/**
 * The bubble's settings (product.md, `GET /widget/settings` → `webchat`): their defaults, and the
 * rules an admin's change must pass. Only what the admin changed is stored; a read merges it over
 * the defaults, so a default changed in a later release reaches every account that kept it.
 */
import { z } from 'zod';

export const BUBBLE_LANGUAGES = ['auto', 'ru', 'en', 'es', 'pt'] as const;
export const PRECHAT_MODES = ['off', 'optional', 'required'] as const;
export const WEEK_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** WCAG 2.x AA for normal text: the bubble writes white text on the chosen colour. */
export const MIN_CONTRAST_WITH_WHITE = 4.5;

export type PrechatMode = (typeof PRECHAT_MODES)[number];

export interface BubbleSettings {
  color: string;
  position: 'left' | 'right';
  title: string | null;
  greeting: string | null;
  away_message: string | null;
  language: (typeof BUBBLE_LANGUAGES)[number];
  hours: { timezone: string; days: Partial<Record<(typeof WEEK_DAYS)[number], [string, string][]>> } | null;
  prechat: { name: PrechatMode; phone: PrechatMode; email: PrechatMode };
  consent: { required: boolean; url: string | null };
  store_before_open: boolean;
}

/** `null` texts mean the bubble's own wording in the visitor's language. */
export const DEFAULT_BUBBLE_SETTINGS: BubbleSettings = {
  color: '#2563eb',
  position: 'right',
  title: null,
  greeting: null,
  away_message: null,
  language: 'auto',
  hours: null,
  prechat: { name: 'optional', phone: 'optional', email: 'optional' },
  consent: { required: false, url: null },
  store_before_open: false,
};

/** Relative luminance of an `#rrggbb` colour (WCAG 2.x). */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Contrast ratio of white text on the colour, 1 to 21. */
export function contrastWithWhite(hex: string): number {
  return 1.05 / (luminance(hex) + 0.05);
}

const HEX_COLOR = /^#[0-9a-f]{6}$/i;
const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

const color = z
  .string()
  .regex(HEX_COLOR, 'must be a colour written #rrggbb')
  .superRefine((value, ctx) => {
    if (!HEX_COLOR.test(value)) return;
    const ratio = contrastWithWhite(value);
    if (ratio < MIN_CONTRAST_WITH_WHITE) {
      ctx.addIssue({
        code: 'custom',
        message: `white text on ${value} has a contrast of ${ratio.toFixed(2)}:1, below the ${MIN_CONTRAST_WITH_WHITE}:1 that WCAG AA asks for; choose a darker colour`,
      });
    }
  })
  .transform((v) => v.toLowerCase());

const text = (max: number) => z.string().trim().min(1, 'must not be empty (send null for the default text)').max(max, `must be at most ${max} characters`).nullable();

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const interval = z
  .tuple([z.string().regex(TIME, 'must be HH:MM'), z.string().regex(TIME, 'must be HH:MM')])
  .refine(([from, to]) => from < to, 'must end after it starts');

/** A day's ranges must not overlap (ones that meet, 09:00–12:00 and 12:00–14:00, do not: the end is excluded). */
const dayRanges = z
  .array(interval)
  .max(4, 'at most 4 intervals a day')
  .refine((ranges) => [...ranges].sort(([a], [b]) => (a < b ? -1 : 1)).every((r, i, sorted) => i === 0 || r[0] >= sorted[i - 1]![1]), 'intervals of a day must not overlap');

const hours = z
  .object({
    timezone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as Europe/Moscow'),
    days: z.object(Object.fromEntries(WEEK_DAYS.map((d) => [d, dayRanges.optional()]))).strict(),
  })
  .strict()
  .nullable();

const consentUrl = z
  .string()
  .max(2000)
  .url('must be a URL')
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) link')
  .nullable();

/** A change an admin sends: any subset of the fields; `prechat` and `consent` may be partial too. */
export const bubbleSettingsPatch = z
  .object({
    color,
    position: z.enum(['left', 'right']),
    title: text(60),
    greeting: text(500),
    away_message: text(500),
    language: z.enum(BUBBLE_LANGUAGES),
    hours,
    prechat: z.object({ name: z.enum(PRECHAT_MODES), phone: z.enum(PRECHAT_MODES), email: z.enum(PRECHAT_MODES) }).partial().strict(),
    consent: z.object({ required: z.boolean(), url: consentUrl }).partial().strict(),
    store_before_open: z.boolean(),
  })
  .partial()
  .strict();

export type BubbleSettingsPatch = z.infer<typeof bubbleSettingsPatch>;

/** `stored` (what the admin changed so far) with `patch` applied, and the whole result. */
export function applyBubblePatch(stored: Record<string, unknown>, patch: BubbleSettingsPatch): { stored: Record<string, unknown>; settings: BubbleSettings } {
  const next: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const nested = key === 'prechat' || key === 'consent';
    next[key] = nested ? { ...(stored[key] as object | undefined), ...(value as object) } : value;
  }
  return { stored: next, settings: bubbleSettingsOf(next) };
}

/** The whole settings from what was stored; anything unreadable falls back to its default. */
export function bubbleSettingsOf(stored: Record<string, unknown>): BubbleSettings {
  const parsed = bubbleSettingsPatch.safeParse(stored);
  const s = parsed.success ? parsed.data : {};
  const d = DEFAULT_BUBBLE_SETTINGS;
  return {
    ...d,
    ...withoutUndefined({ ...s, prechat: undefined, consent: undefined }),
    prechat: { ...d.prechat, ...withoutUndefined(s.prechat ?? {}) },
    consent: { ...d.consent, ...withoutUndefined(s.consent ?? {}) },
  } as BubbleSettings;
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A consent checkbox with nothing to read is refused: the visitor must be able to see what they agree to. */
export function consentProblem(settings: BubbleSettings): string | undefined {
  return settings.consent.required && !settings.consent.url ? 'webchat.consent.url: a required consent needs the link to the text the visitor agrees to' : undefined;
}

/** The rules above as the widget settings route takes them (routes do not import platforms). */
export const bubbleSettingsRules = {
  patchSchema: bubbleSettingsPatch as z.ZodType<Record<string, unknown>>,
  apply(stored: Record<string, unknown>, patch: Record<string, unknown>) {
    const next = applyBubblePatch(stored, patch as BubbleSettingsPatch);
    return { stored: next.stored, settings: { ...next.settings } as Record<string, unknown> };
  },
  of: (stored: Record<string, unknown>): Record<string, unknown> => ({ ...bubbleSettingsOf(stored) }),
  problems: (settings: Record<string, unknown>): string[] => {
    const problem = consentProblem(settings as unknown as BubbleSettings);
    return problem ? [problem] : [];
  },
};
