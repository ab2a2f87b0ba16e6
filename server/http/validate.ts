/** zod at the edge: parse or throw a ValidationError shaped `field: problem` (400). */
import type { z } from 'zod';
import { ValidationError } from '../errors.js';

export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || 'body';
  throw new ValidationError(`${field}: ${issue?.message ?? 'invalid'}`, field);
}

/** Like `parseInput`, but the 400 names every bad field (forms that send many fields at once). */
export function parseEveryField<T>(schema: z.ZodType<T>, input: unknown, prefix = ''): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((i) => {
    const at = i.path.join('.');
    // Each unknown key is named on its own, so `identity_secret` sent by mistake says so.
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => `${prefix}${at ? `${at}.` : ''}${k}: is not a field that can be set here`);
    return [`${prefix}${at || 'body'}: ${i.message}`];
  });
  throw invalidFields(problems);
}

/** One 400 for several `field: problem` sentences. */
export function invalidFields(problems: string[]): ValidationError {
  const fields = problems.map((p) => p.slice(0, p.indexOf(':')));
  return new ValidationError(problems.join('; '), [...new Set(fields)].join(','));
}
