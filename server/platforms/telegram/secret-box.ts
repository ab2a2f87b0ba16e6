/**
 * Bot tokens and webhook secrets at rest: AES-256-GCM with a key derived (HKDF-SHA256) from the
 * backend's secret (APP_SECRET, or the one generated and kept in the store), so a copy of the
 * database alone does not give anybody the bots. The box text is `v1.<iv>.<tag>.<ciphertext>`.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface SecretBox {
  seal(plain: string): Promise<string>;
  open(sealed: string): Promise<string>;
}

export function createSecretBox(secret: () => Promise<string>): SecretBox {
  let key: Promise<Buffer> | undefined;
  const keyOf = () => (key ??= secret().then((s) => Buffer.from(hkdfSync('sha256', s, 'telegram-bot-token', 'v1', 32))));
  return {
    async seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', await keyOf(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    async open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('sealed value of an unknown format');
      const decipher = createDecipheriv('aes-256-gcm', await keyOf(), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
