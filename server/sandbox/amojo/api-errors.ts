/**
 * How the emulated Chats API answers. Refusals carry the JSON body working clients read
 * (`error_code`, `error_type`, `error_description`, as fcritic/amojo-api-client parses it); amojo's
 * real error schema is unconfirmed (chats-api.md §6, §9.2 #3), so clients must not depend on it.
 */
import type { z } from 'zod';

/** One answer of an endpoint: a status and, when not empty, a JSON body. */
export interface ApiReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class AmojoApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    readonly description: string,
  ) {
    super(description);
    this.name = new.target.name;
  }

  toReply(): ApiReply {
    return { status: this.status, body: { error_code: this.status, error_type: this.errorType, error_description: this.description } };
  }
}

export const badRequest = (errorType: string, description: string): AmojoApiError => new AmojoApiError(400, errorType, description);
export const forbidden = (errorType: string, description: string): AmojoApiError => new AmojoApiError(403, errorType, description);
export const notFound = (errorType: string, description: string): AmojoApiError => new AmojoApiError(404, errorType, description);

/** The first zod issue as `field: problem`, for the 400 description. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid data';
  const field = issue.path.map(String).join('.');
  return field ? `${field}: ${issue.message}` : issue.message;
}

/** Parses a body with a schema or throws the 400 amojo answers for invalid data. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw badRequest('invalid_data', describeZodError(result.error));
  return result.data;
}
