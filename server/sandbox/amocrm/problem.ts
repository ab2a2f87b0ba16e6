/** amoCRM's error answers: `application/problem+json` with title, type, status, detail (§5.5). */
import type { Response } from 'express';

export interface Problem {
  status: number;
  title: string;
  detail?: string;
  hint?: string;
  'validation-errors'?: unknown[];
}

export class ProblemError extends Error {
  constructor(readonly problem: Problem, readonly headers: Record<string, string> = {}) {
    super(problem.detail ?? problem.title);
    this.name = new.target.name;
  }
}

export const problem = (status: number, title: string, detail?: string, extra: Partial<Problem> = {}): ProblemError =>
  new ProblemError({ status, title, ...(detail !== undefined ? { detail } : {}), ...extra });

export function sendProblem(res: Response, err: ProblemError): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res
    .status(err.problem.status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: `https://httpstatus.es/${err.problem.status}`, ...err.problem }));
}

/** Successful answers are HAL (§5.5). */
export function sendHal(res: Response, body: unknown): void {
  res.status(200).type('application/hal+json').send(JSON.stringify(body));
}
