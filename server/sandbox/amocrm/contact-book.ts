/**
 * The emulated account's contacts and the links of chats to them: the state and rules behind
 * `contacts-endpoints.ts` (what the endpoints accept and refuse, and what is unconfirmed, is said there).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { problem } from './problem.js';
import type { EmulatedAccount, EmulatedContact } from './types.js';

export const MAX_CONTACTS_PER_REQUEST = 250;

export const FIELDS = {
  PHONE: { id: 1_000_001, name: 'Phone', enums: ['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER'] },
  EMAIL: { id: 1_000_002, name: 'Email', enums: ['WORK', 'PRIV', 'OTHER'] },
} as const;
export type FieldCode = keyof typeof FIELDS;

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

export interface ChatLink {
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
