/**
 * Finds secrets in files bound for the archive. The widget runs in every user's browser, so anything
 * packed is public: the configured secrets must never be there, nor anything shaped like a credential.
 * Problems name the file, the line and the kind of secret, never the value.
 */

export interface NamedSecret {
  /** Where the value comes from, e.g. the environment variable's name. */
  name: string;
  value: string;
}

export const SECRET_ENV_VARS = ['AMOJO_CHANNEL_SECRET', 'AMO_CLIENT_SECRET', 'APP_SECRET'] as const;

/**
 * Values shorter than this are not searched for: they would match ordinary text by chance, and no
 * real channel, client or app secret is that short.
 */
export const MIN_SECRET_LENGTH = 8;

/** Binary formats where a byte pattern that looks like text means nothing. */
const BINARY_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.gif', '.webp', '.ico', '.woff', '.woff2'];

const LOOKALIKES: { kind: string; pattern: RegExp }[] = [
  // Channel secrets and HMAC keys are commonly 40 hex digits (SHA-1 sized) or longer.
  { kind: 'a string of 40 or more hex digits', pattern: /(?<![0-9a-f])[0-9a-f]{40,}(?![0-9a-f])/gi },
  { kind: 'a JSON Web Token', pattern: /\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/g },
  {
    kind: 'a secret assigned in code',
    pattern:
      /\b(client_?secret|channel_?secret|app_?secret|secret_?key|api_?key|private_?key|access_?token|refresh_?token)["']?\s*[:=]\s*["'`][^"'`\s]{8,}["'`]/gi,
  },
  { kind: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/g },
];

export function secretsFromEnv(env: Record<string, string | undefined>): NamedSecret[] {
  return SECRET_ENV_VARS.flatMap((name) => {
    const value = env[name]?.trim();
    return value ? [{ name, value }] : [];
  });
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function isBinary(path: string): boolean {
  const lower = path.toLowerCase();
  return BINARY_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** Every secret found in one file, as sentences naming the problem. */
export function findSecrets(path: string, bytes: Uint8Array, secrets: readonly NamedSecret[]): string[] {
  const problems: string[] = [];
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const secret of secrets) {
    if (secret.value.length < MIN_SECRET_LENGTH) continue;
    if (buffer.includes(Buffer.from(secret.value, 'utf8'))) {
      problems.push(`${path} contains the value of ${secret.name}; secrets must never be packed into the widget`);
    }
  }
  if (isBinary(path)) return problems;

  const text = buffer.toString('utf8');
  for (const { kind, pattern } of LOOKALIKES) {
    for (const match of text.matchAll(pattern)) {
      problems.push(`${path}, line ${lineOf(text, match.index)}: looks like a secret (${kind}); remove it from the widget`);
    }
  }
  return problems;
}
