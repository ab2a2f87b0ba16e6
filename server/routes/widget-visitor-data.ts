/**
 * `POST /widget/visitor-data/delete` (README, "Privacy"): an admin deletes what this backend keeps
 * of one website visitor — every conversation of the visitor found by the site's user id, e-mail or
 * phone, with its messages, files (rows and bytes), profile and jobs not yet run. amoCRM keeps its
 * own copy of the chat, the contact and the lead; the widget says so, and the admin deletes those
 * in amoCRM. A visitor whose page is still open starts a new, empty conversation at their next message.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { parseEveryField } from '../http/validate.js';
import { createWidgetAuth, type WidgetAuthDeps } from './widget.js';

const eraseBody = z
  .object({
    user_id: z.string().trim().min(1).max(128),
    email: z.string().trim().max(254).pipe(z.email('is not an email address')),
    phone: z.string().trim().regex(/^\+?[0-9 ()-]{5,32}$/, 'is not a phone number'),
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length === 1, { message: 'send exactly one of user_id, email, phone' });

type VisitorKey = { user_id: string } | { email: string } | { phone: string };

export interface WidgetVisitorDataDeps extends WidgetAuthDeps {
  webchat: { eraseVisitor(accountId: number, key: VisitorKey): Promise<{ conversations: number; messages: number; files: number }> };
}

export function createWidgetVisitorDataRouter(deps: WidgetVisitorDataDeps): Router {
  const { authenticate, requireAdmin, spend } = createWidgetAuth(deps);
  const router = Router();

  router.post('/widget/visitor-data/delete', express.json({ limit: '4kb' }), async (req, res) => {
    const claims = await authenticate(req);
    const body = parseEveryField(eraseBody, req.body ?? {}) as VisitorKey;
    await requireAdmin(claims, "Only administrators of the account can delete a visitor's data.");
    await spend(claims);
    res.json({ deleted: await deps.webchat.eraseVisitor(claims.accountId, body) });
  });

  return router;
}
