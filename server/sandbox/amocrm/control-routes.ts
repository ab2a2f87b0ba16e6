/**
 * What the emulated amoCRM UI does for the sandbox page: mint a one-time token for a user (as
 * `$authorizedAjax` does) and install the integration (an authorization code and the callback URL).
 * Sandbox only; the secrets involved are the sandbox's fixed ones.
 */
import { Router } from 'express';
import { z } from 'zod';
import { problem } from './problem.js';
import type { InstallOptions, MintOptions } from './types.js';

const mintSchema = z.object({ account_id: z.number().int().positive().optional(), user_id: z.number().int().positive().optional() });
const installSchema = z.object({ account_id: z.number().int().positive().optional(), state: z.string().max(200).optional() });

export interface ControlDeps {
  install(options: InstallOptions): { code: string; callbackUrl: string };
  mint(options: MintOptions): Promise<string>;
  defaultAccountId(): number;
}

export function createControlRouter(deps: ControlDeps): Router {
  const router = Router();
  router.post('/one-time-tokens', async (req, res) => {
    const input = mintSchema.safeParse(req.body ?? {});
    if (!input.success) throw problem(400, 'Bad Request', 'account_id and user_id must be numbers');
    const token = await deps.mint({
      ...(input.data.account_id !== undefined ? { accountId: input.data.account_id } : {}),
      ...(input.data.user_id !== undefined ? { userId: input.data.user_id } : {}),
    });
    res.status(201).json({ token });
  });
  router.post('/installs', (req, res) => {
    const input = installSchema.safeParse(req.body ?? {});
    if (!input.success) throw problem(400, 'Bad Request', 'account_id must be a number');
    const out = deps.install({
      ...(input.data.account_id !== undefined ? { accountId: input.data.account_id } : {}),
      ...(input.data.state !== undefined ? { state: input.data.state } : {}),
    });
    res.status(201).json({ code: out.code, callback_url: out.callbackUrl });
  });
  return router;
}
