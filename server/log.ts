/**
 * Logging: one pino root logger; modules take a child with their own bindings. Secrets never
 * reach a log line: known secret-bearing fields are redacted by path, and every configured secret
 * value is scrubbed from messages as a second line of defence.
 */
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config/index.js';

export type { Logger };

const REDACT_PATHS = [
  'secret',
  '*.secret',
  'clientSecret',
  '*.clientSecret',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'visitor_token',
  '*.visitor_token',
  'token',
  '*.token',
  'headers.authorization',
  'headers["x-auth-token"]',
  'headers["x-signature"]',
  'req.headers.authorization',
  'req.headers["x-auth-token"]',
];

export interface LoggerOptions {
  level: LogLevel;
  secrets: readonly string[];
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const secrets = opts.secrets.filter((s) => s.length >= 8);
  const scrub = (s: string): string => secrets.reduce((acc, sec) => acc.split(sec).join('[REDACTED]'), s);
  return pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>,
          );
        },
      },
      formatters: {
        log(obj) {
          // Error messages may quote request bodies; scrub them like messages.
          const err = obj['err'];
          if (err instanceof Error) return { ...obj, err: { type: err.name, message: scrub(err.message), stack: scrub(err.stack ?? '') } };
          return obj;
        },
      },
    },
    opts.destination,
  );
}

/** A logger that drops everything, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
