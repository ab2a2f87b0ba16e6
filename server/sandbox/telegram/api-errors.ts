/**
 * How the emulated Bot API refuses a call: `{"ok":false,"error_code":N,"description":"…","parameters":{…}}`
 * with the HTTP status equal to `error_code` (telegram.md §1). Descriptions use the real API's words
 * where they are known; the others are marked [unconfirmed] where they are thrown.
 */
import type { z } from 'zod';

export interface ResponseParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
}

export class TelegramApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
    this.name = new.target.name;
  }

  toBody(): { ok: false; error_code: number; description: string; parameters?: ResponseParameters } {
    return { ok: false, error_code: this.errorCode, description: this.description, ...(this.parameters ? { parameters: this.parameters } : {}) };
  }
}

export const badRequest = (what: string): TelegramApiError => new TelegramApiError(400, `Bad Request: ${what}`);
export const unauthorized = (): TelegramApiError => new TelegramApiError(401, 'Unauthorized');
export const forbidden = (what: string): TelegramApiError => new TelegramApiError(403, `Forbidden: ${what}`);
export const notFound = (): TelegramApiError => new TelegramApiError(404, 'Not Found');
export const conflict = (what: string): TelegramApiError => new TelegramApiError(409, `Conflict: ${what}`);
export const tooManyRequests = (retryAfter: number): TelegramApiError =>
  new TelegramApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });

export const chatNotFound = (): TelegramApiError => badRequest('chat not found');
export const botBlocked = (): TelegramApiError => forbidden('bot was blocked by the user');

/**
 * A parameter the schema refuses. The real API words these per field ("field \"x\" must be of type
 * Integer"); the emulator names the field and the problem instead [unconfirmed wording].
 */
export function invalidParameter(error: z.ZodError): TelegramApiError {
  const issue = error.issues[0];
  if (!issue) return badRequest('invalid parameters');
  const field = issue.path.map(String).join('.');
  return badRequest(field ? `${field}: ${issue.message}` : issue.message);
}

/** Parses the parameters of a call with a schema, or throws the 400 the API answers. */
export function parseParams<T>(schema: z.ZodType<T>, values: unknown): T {
  const result = schema.safeParse(values);
  if (!result.success) throw invalidParameter(result.error);
  return result.data;
}
