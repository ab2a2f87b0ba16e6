/**
 * Installs the integration in an account of the sandbox's amoCRM emulator, the way an admin's click does:
 * the emulator issues an authorization code, and we call the backend's redirect URI with it as amoCRM
 * does, so the backend exchanges the code, stores the tokens and connects the channel.
 */
import type { TestBackend } from '../../support/server.js';

export async function installAccount(backend: TestBackend, accountId: number, userId: number): Promise<void> {
  const emulator = backend.services.sandbox?.amocrm;
  if (!emulator) throw new Error('the test backend runs without the amoCRM emulator (sandbox mode expected)');
  const { callbackUrl } = emulator.install({ accountId, userId });
  const response = await fetch(callbackUrl);
  if (!response.ok) throw new Error(`install callback answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
}
