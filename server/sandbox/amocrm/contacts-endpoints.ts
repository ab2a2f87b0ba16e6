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
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { problem, sendHal } from './problem.js';
import type { EmulatedAccount, EmulatedContact } from './types.js';

export const MAX_CONTACTS_PER_REQUEST = 250;

const FIELDS = {
  PHONE: { id: 1_000_001, name: 'Phone', enums: ['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER'] },
  EMAIL: { id: 1_000_002, name: 'Email', enums: ['WORK', 'PRIV', 'OTHER'] },
} as const;
type FieldCode = keyof typeof FIELDS;

const valueItem = z.object({ value: z.string().trim().min(1).max(256), enum_code: z.string().optional(), enum_id: z.number().int().optional() });
const fieldItem = z.object({ field_id: z.number().int().optional(), field_code: z.string().optional(), values: z.array(valueItem).max(100) });
const contactItem = z.object({
  name: z.string().trim().max(255).optional(),
  first_name: z.string().trim().max(255).optional(),
  last_name: z.string().trim().max(255).optional(),
  responsible_user_id: z.number().int().optional(),
  custom_fields_values: z.array(fieldItem).nullish(),
  request_id: z.string().max(100).optional(),
});
const linkItem = z.object({ contact_id: z.number().int().positive(), chat_id: z.string().uuid(), request_id: z.string().max(100).optional() });

type Issue = { index: number; requestId: string | undefined; path: string; detail: string };

function refuse(issues: Issue[]): never {
  throw problem(400, 'Bad Request', issues.map((i) => `${i.index}.${i.path}: ${i.detail}`).join('; '), {
    'validation-errors': issues.map((i) => ({ request_id: i.requestId ?? String(i.index), errors: [{ code: 'InvalidValue', path: i.path, detail: i.detail }] })),
  });
}

/** The field a `custom_fields_values` entry names, or a sentence saying why it names none. */
function fieldOf(f: z.infer<typeof fieldItem>): FieldCode | string {
  const byCode = f.field_code === undefined ? undefined : (Object.keys(FIELDS) as FieldCode[]).find((c) => c === f.field_code);
  const byId = f.field_id === undefined ? undefined : (Object.keys(FIELDS) as FieldCode[]).find((c) => FIELDS[c].id === f.field_id);
  if (f.field_code === undefined && f.field_id === undefined) return 'field_id or field_code is required';
  if (f.field_code !== undefined && !byCode) return `no field with code ${f.field_code}`;
  if (f.field_id !== undefined && !byId) return `no field ${f.field_id}`;
  if (byCode && byId && byCode !== byId) return 'field_id and field_code name different fields';
  return (byCode ?? byId)!;
}

/** The fields an item sets, checked; issues go to `issues`. */
function fieldsOf(item: z.infer<typeof contactItem>, index: number, issues: Issue[]): Partial<Record<FieldCode, string[]>> {
  const out: Partial<Record<FieldCode, string[]>> = {};
  (item.custom_fields_values ?? []).forEach((f, i) => {
    const path = `custom_fields_values.${i}`;
    const code = fieldOf(f);
    if (!(code in FIELDS)) return void issues.push({ index, requestId: item.request_id, path, detail: code });
    const field = FIELDS[code as FieldCode];
    f.values.forEach((v, j) => {
      if (v.enum_code !== undefined && !(field.enums as readonly string[]).includes(v.enum_code)) {
        issues.push({ index, requestId: item.request_id, path: `${path}.values.${j}.enum_code`, detail: `${field.name} has no enum ${v.enum_code}` });
      }
    });
    out[code as FieldCode] = f.values.map((v) => v.value);
  });
  return out;
}

function parseItem<T>(schema: z.ZodType<T>, item: unknown, index: number, issues: Issue[]): T | undefined {
  const r = schema.safeParse(item);
  if (r.success) return r.data;
  for (const i of r.error.issues) issues.push({ index, requestId: undefined, path: i.path.join('.') || 'item', detail: i.message });
  return undefined;
}

const digits = (s: string): string => s.replace(/\D/g, '');

interface ChatLink {
  id: string;
  chatId: string;
  contactId: number;
  requestId?: string;
}

export class ContactBook {
  readonly #contacts = new Map<number, EmulatedContact[]>();
  readonly #links = new Map<number, ChatLink[]>();
  /** Chats the integration's channel has, per account amojo id, as the Chats side told us. */
  readonly #chats = new Map<string, Set<string>>();
  #chatDirectory: ((accountAmojoId: string, chatId: string) => boolean) | undefined;
  #nextId = 9_000_001;

  constructor(private readonly now: () => number) {}

  list(accountId: number): EmulatedContact[] {
    let list = this.#contacts.get(accountId);
    if (!list) this.#contacts.set(accountId, (list = []));
    return list;
  }

  links(accountId: number): ChatLink[] {
    let list = this.#links.get(accountId);
    if (!list) this.#links.set(accountId, (list = []));
    return list;
  }

  useChatDirectory(directory: (accountAmojoId: string, chatId: string) => boolean): void {
    this.#chatDirectory = directory;
  }

  isChatOf(account: EmulatedAccount, chatId: string): boolean {
    return this.#chats.get(account.amojoId)?.has(chatId) === true || this.#chatDirectory?.(account.amojoId, chatId) === true;
  }

  get(accountId: number, id: number): EmulatedContact | undefined {
    return this.list(accountId).find((c) => c.id === id);
  }

  /** A chat's first unsorted lead: its contact is made from the client's profile (or found by phone / e-mail) and linked. */
  chatLeadOpened(account: EmulatedAccount, chatId: string, client: { name: string; phone?: string | undefined; email?: string | undefined }): EmulatedContact {
    let known = this.#chats.get(account.amojoId);
    if (!known) this.#chats.set(account.amojoId, (known = new Set()));
    known.add(chatId);
    const linked = this.links(account.id).find((l) => l.chatId === chatId);
    if (linked) return this.get(account.id, linked.contactId)!;
    const duplicate = this.list(account.id).find(
      (c) => (client.phone && c.phones.some((p) => digits(p) === digits(client.phone!))) || (client.email && c.emails.some((e) => e.toLowerCase() === client.email!.toLowerCase())),
    );
    const contact = duplicate ?? this.#add(account.id, { name: client.name, phones: client.phone ? [client.phone] : [], emails: client.email ? [client.email] : [] });
    this.links(account.id).push({ id: randomUUID(), chatId, contactId: contact.id });
    return contact;
  }

  create(account: EmulatedAccount, body: unknown): { contact: EmulatedContact; requestId: string | undefined }[] {
    if (!Array.isArray(body) || body.length === 0) throw problem(400, 'Bad Request', 'the body must be a non-empty array of contacts');
    if (body.length > MAX_CONTACTS_PER_REQUEST) throw problem(400, 'Bad Request', `at most ${MAX_CONTACTS_PER_REQUEST} contacts per request`);
    const issues: Issue[] = [];
    const items = (body as unknown[]).map((raw, index) => {
      const item = parseItem(contactItem, raw, index, issues);
      return item ? { item, fields: fieldsOf(item, index, issues) } : undefined;
    });
    if (issues.length > 0) refuse(issues);
    return items.map((x) => {
      const { item, fields } = x!;
      const name = item.name ?? [item.first_name, item.last_name].filter(Boolean).join(' ');
      return { contact: this.#add(account.id, { name, phones: fields.PHONE ?? [], emails: fields.EMAIL ?? [] }), requestId: item.request_id };
    });
  }

  update(account: EmulatedAccount, id: number, body: unknown): EmulatedContact {
    const contact = this.get(account.id, id);
    if (!contact) throw problem(404, 'Not Found', `no contact ${id}`);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw problem(400, 'Bad Request', 'the body must be a contact object');
    const issues: Issue[] = [];
    const item = parseItem(contactItem, body, 0, issues);
    const fields = item ? fieldsOf(item, 0, issues) : {};
    if (issues.length > 0 || !item) refuse(issues);
    if (item.name !== undefined) contact.name = item.name;
    // Each field named is replaced whole; fields not named keep their values.
    if (fields.PHONE) contact.phones = fields.PHONE;
    if (fields.EMAIL) contact.emails = fields.EMAIL;
    contact.updatedAt = Math.floor(this.now() / 1000);
    return contact;
  }

  /** Contacts whose name or a field value holds `query` (phones also by their digits). */
  search(accountId: number, query: string): EmulatedContact[] {
    const q = query.trim().toLowerCase();
    if (q === '') return [...this.list(accountId)];
    const qDigits = digits(q);
    return this.list(accountId).filter(
      (c) =>
        c.name.toLowerCase().includes(q) ||
        c.emails.some((e) => e.toLowerCase().includes(q)) ||
        c.phones.some((p) => p.toLowerCase().includes(q) || (qDigits.length >= 5 && digits(p).includes(qDigits))),
    );
  }

  link(account: EmulatedAccount, body: unknown): ChatLink[] {
    if (!Array.isArray(body) || body.length === 0) throw problem(400, 'Bad Request', 'the body must be a non-empty array of {contact_id, chat_id}');
    if (body.length > MAX_CONTACTS_PER_REQUEST) throw problem(400, 'Bad Request', `at most ${MAX_CONTACTS_PER_REQUEST} links per request`);
    const issues: Issue[] = [];
    const items = (body as unknown[]).map((raw, index) => {
      const item = parseItem(linkItem, raw, index, issues);
      if (!item) return undefined;
      const at = (path: string, detail: string) => issues.push({ index, requestId: item.request_id, path, detail });
      if (!this.get(account.id, item.contact_id)) at('contact_id', `no contact ${item.contact_id}`);
      if (!this.isChatOf(account, item.chat_id)) at('chat_id', `chat ${item.chat_id} is not a chat of the integration's channels in this account`);
      const existing = this.links(account.id).find((l) => l.chatId === item.chat_id);
      if (existing && existing.contactId !== item.contact_id) at('chat_id', `chat ${item.chat_id} is already linked to contact ${existing.contactId}; a chat has one contact`);
      return item;
    });
    if (issues.length > 0) refuse(issues);
    return items.map((x) => {
      const item = x!;
      const existing = this.links(account.id).find((l) => l.chatId === item.chat_id);
      if (existing) return { ...existing, ...(item.request_id !== undefined ? { requestId: item.request_id } : {}) };
      const created: ChatLink = { id: randomUUID(), chatId: item.chat_id, contactId: item.contact_id, ...(item.request_id !== undefined ? { requestId: item.request_id } : {}) };
      this.links(account.id).push(created);
      return created;
    });
  }

  reset(): void {
    this.#contacts.clear();
    this.#links.clear();
    this.#chats.clear();
  }

  #add(accountId: number, d: { name: string; phones: string[]; emails: string[] }): EmulatedContact {
    const at = Math.floor(this.now() / 1000);
    const contact: EmulatedContact = { id: this.#nextId++, ...d, createdAt: at, updatedAt: at };
    this.list(accountId).push(contact);
    return contact;
  }
}

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
