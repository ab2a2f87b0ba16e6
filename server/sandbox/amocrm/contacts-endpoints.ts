/**
 * Contacts (`/api/v4/contacts`) and their chats (`/api/v4/contacts/chats`, chats-api.md §4.11), for
 * the contact fields a chat channel touches: the name and the system multitext fields PHONE and
 * EMAIL. Strict on shape: a JSON array to create (at most 250), known `field_code` / `field_id` and
 * `enum_code` only, string values; linking needs an admin's token, an existing contact and a chat of
 * the integration's channel, and a chat has one contact at most. Refusals are problem+json naming
 * item and field.
 *
 * From amoCRM's public API v4 reference, not from our docs (unconfirmed): the bodies, that a PATCH
 * replaces all values of each field it names, `query` as a search through names and field values,
 * and 204 for a contact or search that finds nothing. The docs give 200/400/401 for the link
 * list, so an empty list is 200. As amoCRM does with the Chats API profile, a chat's first unsorted
 * lead gets a contact from the client's name, phone and e-mail, or the contact that already has that
 * phone or e-mail (duplicate control; how amoCRM picks among several is unconfirmed: the oldest here).
 */
import { Router, type Request, type Response } from 'express';
import { FIELDS, type ChatLink, type ContactBook, type FieldCode } from './contact-book.js';
import { sendHal, problem } from './problem.js';
import type { EmulatedAccount, EmulatedContact } from './types.js';

function contactBody(c: EmulatedContact, base: string, accountId: number): Record<string, unknown> {
  const fields = (Object.keys(FIELDS) as FieldCode[])
    .map((code) => ({ code, values: code === 'PHONE' ? c.phones : c.emails }))
    .filter((f) => f.values.length > 0)
    .map(({ code, values }) => ({
      field_id: FIELDS[code].id,
      field_name: FIELDS[code].name,
      field_code: code,
      field_type: 'multitext',
      values: values.map((value) => ({ value, enum_id: FIELDS[code].id * 10 + 1, enum_code: 'WORK' })),
    }));
  return {
    id: c.id,
    name: c.name,
    first_name: '',
    last_name: '',
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    account_id: accountId,
    custom_fields_values: fields.length > 0 ? fields : null,
    _links: { self: { href: `${base}/api/v4/contacts/${c.id}` } },
  };
}

const linkBody = (l: ChatLink) => ({ chat_id: l.chatId, contact_id: l.contactId, id: l.id, ...(l.requestId !== undefined ? { request_id: l.requestId } : {}) });

export interface ContactsRouterDeps {
  authorise(req: Request, res: Response): { account: EmulatedAccount; userId: number };
  baseOf(req: Request): string;
  book: ContactBook;
}

export function createContactsRouter(deps: ContactsRouterDeps): Router {
  const router = Router();
  const contactId = (req: Request): number => {
    const id = String(req.params['id']);
    if (!/^\d{1,12}$/.test(id)) throw problem(400, 'Bad Request', 'contact id must be a number');
    return Number(id);
  };
  /** Express's simple query parser keeps `chat_id[]` as a key of its own. */
  const listParam = (req: Request, name: string): string[] => {
    const q = req.query as Record<string, unknown>;
    const raw = q[`${name}[]`] ?? q[name];
    return raw === undefined ? [] : (Array.isArray(raw) ? raw : [raw]).map(String);
  };

  router.get('/api/v4/contacts/chats', (req, res) => {
    const { account } = deps.authorise(req, res);
    const chatIds = listParam(req, 'chat_id');
    const contactIds = listParam(req, 'contact_id');
    if (chatIds.length === 0 && contactIds.length === 0) throw problem(400, 'Bad Request', 'chat_id[] or contact_id[] is required');
    const found = deps.book.links(account.id).filter((l) => (chatIds.length === 0 || chatIds.includes(l.chatId)) && (contactIds.length === 0 || contactIds.includes(String(l.contactId))));
    sendHal(res, { _total_items: found.length, _embedded: { chats: found.map(linkBody) } });
  });
  router.post('/api/v4/contacts/chats', (req, res) => {
    const { account, userId } = deps.authorise(req, res);
    if (!account.users.find((u) => u.id === userId)?.isAdmin) throw problem(403, 'Forbidden', 'only an administrator of the account may link chats to contacts');
    const links = deps.book.link(account, req.body);
    sendHal(res, { _total_items: links.length, _embedded: { chats: links.map(linkBody) } });
  });

  router.get('/api/v4/contacts', (req, res) => {
    const { account } = deps.authorise(req, res);
    const q = req.query as Record<string, unknown>;
    const limit = q['limit'] === undefined ? 50 : Number(q['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > 250) throw problem(400, 'Bad Request', 'limit must be 1 to 250');
    const found = deps.book.search(account.id, typeof q['query'] === 'string' ? q['query'] : '').slice(0, limit);
    if (found.length === 0) return void res.status(204).end();
    const base = deps.baseOf(req);
    sendHal(res, { _page: 1, _links: { self: { href: `${base}/api/v4/contacts` } }, _embedded: { contacts: found.map((c) => contactBody(c, base, account.id)) } });
  });
  router.get('/api/v4/contacts/:id', (req, res) => {
    const { account } = deps.authorise(req, res);
    const found = deps.book.get(account.id, contactId(req));
    if (!found) return void res.status(204).end();
    sendHal(res, contactBody(found, deps.baseOf(req), account.id));
  });
  router.post('/api/v4/contacts', (req, res) => {
    const { account } = deps.authorise(req, res);
    const base = deps.baseOf(req);
    const created = deps.book.create(account, req.body);
    sendHal(res, {
      _links: { self: { href: `${base}/api/v4/contacts` } },
      _embedded: {
        contacts: created.map(({ contact, requestId }) => ({ id: contact.id, request_id: requestId ?? '0', is_deleted: false, is_unsorted: false, _links: { self: { href: `${base}/api/v4/contacts/${contact.id}` } } })),
      },
    });
  });
  router.patch('/api/v4/contacts/:id', (req, res) => {
    const { account } = deps.authorise(req, res);
    const c = deps.book.update(account, contactId(req), req.body);
    sendHal(res, { id: c.id, name: c.name, updated_at: c.updatedAt, _links: { self: { href: `${deps.baseOf(req)}/api/v4/contacts/${c.id}` } } });
  });
  return router;
}
