/**
 * Configuration: read once at boot from the environment (and `.env`), validated with zod, frozen.
 * Nothing else in the server reads `process.env`. Sandbox mode (no channel credentials) is decided here.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL')
  .transform((v) => v.replace(/\/+$/, ''));

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  HOST: optionalString,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: httpUrl.optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:<path> or postgres://…')
    .default('sqlite:./data/app.sqlite'),
  AMOJO_CHANNEL_ID: z.string().trim().uuid('must be a uuid').optional(),
  AMOJO_CHANNEL_SECRET: optionalString,
  AMOJO_CHANNEL_CODE: optionalString,
  AMOJO_BOT_ID: optionalString,
  AMOJO_CHANNEL_TITLE: z.string().trim().min(1).default('Website chat'),
  AMOJO_BASE_URL: httpUrl.optional(),
  AMOJO_TELEGRAM_CHANNEL_ID: z.string().trim().uuid('must be a uuid').optional(),
  AMOJO_TELEGRAM_CHANNEL_SECRET: optionalString,
  AMOJO_TELEGRAM_CHANNEL_CODE: optionalString,
  AMOJO_TELEGRAM_BOT_ID: optionalString,
  AMOJO_TELEGRAM_CHANNEL_TITLE: z.string().trim().min(1).default('Telegram'),
  TELEGRAM_API_BASE_URL: httpUrl.optional(),
  AMO_CLIENT_ID: optionalString,
  AMO_CLIENT_SECRET: optionalString,
  AMO_REDIRECT_URI: httpUrl.optional(),
  AMO_API_BASE_URL: httpUrl.optional(),
  APP_SECRET: z.string().trim().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  TRUST_PROXY: z.string().optional().transform((v, ctx) => parseTrustProxy(v?.trim() || undefined, ctx)),
  METRICS_TOKEN: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  FILES_RETENTION_DAYS: z.coerce.number().int().min(1, 'must be a whole number of days, at least 1').default(180),
  FILES_QUOTA_MB: z.coerce.number().int().min(1, 'must be a whole number of megabytes, at least 1').default(2048),
});

/**
 * Whose `X-Forwarded-For` to believe, in Express `trust proxy` terms: `false` (nobody: the socket
 * address is the client), a hop count, or a list of addresses / CIDRs / Express's named ranges.
 * `true` (believe anybody) is refused: it lets any visitor pick its own address.
 */
export type TrustProxy = false | number | string[];

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustProxy(value: string | undefined, ctx: z.RefinementCtx): TrustProxy {
  if (value === undefined) return false;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  const bad = entries.filter((entry) => !NAMED_RANGES.has(entry) && !isAddressOrCidr(entry));
  if (entries.length === 0 || bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: 'must be a hop count or a comma-separated list of addresses/CIDRs (loopback, linklocal, uniquelocal allowed)' });
    return false;
  }
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [addr, bits, extra] = entry.split('/');
  if (extra !== undefined || !addr) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d+$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** A URL hostname that only reaches this machine (also used by the widget build). */
export const isLoopbackHost = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname) || hostname.startsWith('127.');

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ChannelConfig {
  id: string;
  secret: string;
  code: string;
  botId: string | undefined;
  title: string;
}

/** The Telegram platform: its own amoCRM channel and the Bot API it talks to. */
export interface TelegramConfig {
  channel: ChannelConfig;
  /** Bot API root (`<root>/bot<token>/<method>`). */
  apiBaseUrl: string;
}

export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface Config {
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: string;
  /** True when no channel credentials are set: the emulators are mounted and used. */
  sandbox: boolean;
  channel: ChannelConfig;
  /** Absent when the Telegram platform is off (no AMOJO_TELEGRAM_* outside the sandbox). */
  telegram: TelegramConfig | undefined;
  oauth: OAuthConfig;
  /** Overrides the per-account amojo host (tests, sandbox). */
  amojoBaseUrl: string | undefined;
  /** Overrides the per-account amoCRM REST/OAuth base (tests, sandbox). */
  amoApiBaseUrl: string | undefined;
  /** Signs visitor tokens; when absent the store generates and keeps one. */
  appSecret: string | undefined;
  logLevel: LogLevel;
  /** Whose X-Forwarded-For to believe for the client address (Express `trust proxy`). */
  trustProxy: TrustProxy;
  /** When set, `GET /metrics` requires it as a bearer token; otherwise loopback clients only. */
  metricsToken: string | undefined;
  /** Stored files older than this many days are deleted; their links answer 410. */
  filesRetentionDays: number;
  /** Per-account storage quota for stored files, in bytes. */
  filesQuotaBytes: number;
}

/** Fixed sandbox credentials: they only ever talk to the in-process emulators. */
export const SANDBOX_CHANNEL = {
  id: '0b5a8a0e-5d39-4a4b-9a43-5a2d3c1e7f10',
  secret: 'sandbox0channel0secret0not0for0production',
  code: 'amo.ext.sandbox_webchat',
  botId: '7d3c2b1a-0f9e-4d8c-b7a6-958473621000',
} as const;
/** The sandbox's emulated Chats API channel for Telegram chats (amoCRM registers one channel per chat type). */
export const SANDBOX_TELEGRAM_CHANNEL = {
  id: '3c9e1f52-8d07-4b6a-a1e4-6f2b9d0c7e21',
  secret: 'sandbox0telegram0channel0secret0not0for0production',
  code: 'amo.ext.sandbox_telegram',
  botId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c60',
  title: 'Telegram',
} as const;
export const SANDBOX_OAUTH = {
  clientId: '5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
  clientSecret: 'sandbox-client-secret-not-for-production-use-000000',
} as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Builds the configuration from an env-like record. Throws ConfigError listing every bad variable,
 * one line each; never includes an offending value (it may be a secret).
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      if (!lines.has(name)) lines.set(name, `Invalid ${name}: ${issue.message}`);
    }
    throw new ConfigError([...lines.values()].join('\n'));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;

  const channelVars = [e.AMOJO_CHANNEL_ID, e.AMOJO_CHANNEL_SECRET, e.AMOJO_CHANNEL_CODE];
  const sandbox = channelVars.every((v) => v === undefined);
  if (!sandbox) {
    for (const k of ['AMOJO_CHANNEL_ID', 'AMOJO_CHANNEL_SECRET', 'AMOJO_CHANNEL_CODE', 'AMO_CLIENT_ID', 'AMO_CLIENT_SECRET'] as const) {
      if (e[k] === undefined) problems.push(`Invalid ${k}: required when channel credentials are set`);
    }
    // amoCRM is handed links built from PUBLIC_URL (files, webhooks, OAuth): a default would be wrong.
    if (e.PUBLIC_URL === undefined) problems.push('Invalid PUBLIC_URL: required when channel credentials are set (the external https address of this backend)');
    else {
      const url = new URL(e.PUBLIC_URL);
      if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) problems.push('Invalid PUBLIC_URL: must be https unless its host is loopback');
    }
  }
  const telegramVars = ['AMOJO_TELEGRAM_CHANNEL_ID', 'AMOJO_TELEGRAM_CHANNEL_SECRET', 'AMOJO_TELEGRAM_CHANNEL_CODE'] as const;
  const telegramSet = telegramVars.filter((k) => e[k] !== undefined);
  if (telegramSet.length > 0 && telegramSet.length < telegramVars.length) {
    for (const k of telegramVars) if (e[k] === undefined) problems.push(`Invalid ${k}: required when any AMOJO_TELEGRAM_CHANNEL_* is set`);
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  const telegramApiBaseUrl = e.TELEGRAM_API_BASE_URL ?? (sandbox ? `${publicUrl}/sandbox/telegram` : 'https://api.telegram.org');
  // In the sandbox the Telegram channel is always on, emulated; elsewhere when its channel is registered.
  const telegram: TelegramConfig | undefined = sandbox
    ? { channel: { ...SANDBOX_TELEGRAM_CHANNEL, title: e.AMOJO_TELEGRAM_CHANNEL_TITLE }, apiBaseUrl: telegramApiBaseUrl }
    : telegramSet.length === telegramVars.length
      ? {
          channel: {
            id: e.AMOJO_TELEGRAM_CHANNEL_ID!,
            secret: e.AMOJO_TELEGRAM_CHANNEL_SECRET!,
            code: e.AMOJO_TELEGRAM_CHANNEL_CODE!,
            botId: e.AMOJO_TELEGRAM_BOT_ID,
            title: e.AMOJO_TELEGRAM_CHANNEL_TITLE,
          },
          apiBaseUrl: telegramApiBaseUrl,
        }
      : undefined;

  const config: Config = {
    // The sandbox hands out admin widget tokens to whoever asks: private to this machine unless HOST says otherwise.
    host: e.HOST ?? (sandbox ? '127.0.0.1' : '0.0.0.0'),
    port: e.PORT,
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    sandbox,
    channel: sandbox
      ? { ...SANDBOX_CHANNEL, title: e.AMOJO_CHANNEL_TITLE }
      : {
          id: e.AMOJO_CHANNEL_ID!,
          secret: e.AMOJO_CHANNEL_SECRET!,
          code: e.AMOJO_CHANNEL_CODE!,
          botId: e.AMOJO_BOT_ID,
          title: e.AMOJO_CHANNEL_TITLE,
        },
    telegram,
    oauth: {
      clientId: sandbox ? (e.AMO_CLIENT_ID ?? SANDBOX_OAUTH.clientId) : e.AMO_CLIENT_ID!,
      clientSecret: sandbox ? (e.AMO_CLIENT_SECRET ?? SANDBOX_OAUTH.clientSecret) : e.AMO_CLIENT_SECRET!,
      redirectUri: e.AMO_REDIRECT_URI ?? `${publicUrl}/oauth/callback`,
    },
    amojoBaseUrl: e.AMOJO_BASE_URL ?? (sandbox ? `${publicUrl}/sandbox/amojo` : undefined),
    amoApiBaseUrl: e.AMO_API_BASE_URL ?? (sandbox ? `${publicUrl}/sandbox/amocrm` : undefined),
    appSecret: e.APP_SECRET,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    metricsToken: e.METRICS_TOKEN,
    filesRetentionDays: e.FILES_RETENTION_DAYS,
    filesQuotaBytes: e.FILES_QUOTA_MB * 1024 * 1024,
  };
  return deepFreeze(config);
}

function deepFreeze<T extends object>(obj: T): T {
  for (const v of Object.values(obj)) if (v && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(obj);
}

/** Secrets to redact from logs and to refuse in the widget archive. */
export function configSecrets(config: Config): string[] {
  return [config.channel.secret, config.telegram?.channel.secret, config.oauth.clientSecret, config.appSecret, config.metricsToken].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}
