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
