/**
 * The contact behind a chat (`/api/v4/contacts`, `/api/v4/contacts/chats`, chats-api.md §4.11).
 *
 * The Chats API profile (`sender.profile.phone/email`) fills the contact only when amoCRM creates it
 * with the chat's first unsorted lead (§4.4). What a client gives later reaches the contact here:
 * the chat's contact is found through its link, and a phone, e-mail or (replacing the name we sent
 * before) a name it lacks is added; a chat with no contact is linked to the one with that phone or
 * e-mail, or to a new one.
 *
 * Unconfirmed by our docs, taken from amoCRM's public API v4 reference: the contact body (`name`,
 * `custom_fields_values` with `field_code` PHONE / EMAIL and `enum_code` WORK), that a PATCH replaces
 * all values of each field it names (so the values we keep are sent again), `GET /api/v4/contacts?query=`
 * as the search, and 204 (no body) for "nothing found". 404 is read as "nothing found" too.
 */
import { z } from 'zod';
import type { HttpMethod } from '../net/byte-transport.js';
import { AmocrmError } from './errors.js';

type Call = (accountId: number, method: HttpMethod, path: string, json?: unknown) => Promise<{ status: number; json: unknown }>;

const fieldValue = z.object({ value: z.union([z.string(), z.number()]).transform(String), enum_code: z.string().nullish(), enum_id: z.number().nullish() });
const contactSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().nullish(),
  custom_fields_values: z
    .array(z.object({ field_id: z.number().nullish(), field_code: z.string().nullish(), values: z.array(fieldValue) }))
    .nullish(),
});
const contactsSchema = z.object({ _embedded: z.object({ contacts: z.array(contactSchema) }) });
const createdSchema = z.object({ _embedded: z.object({ contacts: z.array(z.object({ id: z.number().int().positive() })).min(1) }) });
const chatLinksSchema = z.object({
  _embedded: z.object({ chats: z.array(z.object({ chat_id: z.string(), contact_id: z.number().int().positive() })) }),
});

export type ContactFieldCode = 'PHONE' | 'EMAIL';

export interface AmocrmContact {
  id: number;
  name: string;
  phones: string[];
  emails: string[];
}

/** What the client told us; `previousName` is the name amoCRM got from us before. */
export interface ChatContactDetails {
  name: string;
  previousName: string;
  phone?: string | undefined;
  email?: string | undefined;
}

/** What a sync did: nothing to add, the linked contact changed, or the chat was linked to a found or new contact. */
export type ChatContactOutcome = 'unchanged' | 'updated' | 'linked' | 'created';

function parse<T>(schema: z.ZodType<T>, method: string, path: string, status: number, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AmocrmError(method, path, status, 'unexpected answer', parsed.error.issues[0]?.message);
  return parsed.data;
}

const valuesOf = (c: z.infer<typeof contactSchema>, code: ContactFieldCode): string[] =>
  (c.custom_fields_values ?? []).filter((f) => f.field_code === code).flatMap((f) => f.values.map((v) => v.value));

const toContact = (c: z.infer<typeof contactSchema>): AmocrmContact => ({ id: c.id, name: c.name ?? '', phones: valuesOf(c, 'PHONE'), emails: valuesOf(c, 'EMAIL') });

/** Phones compare by their digits (amoCRM keeps them as typed, amojo without the `+`). */
const samePhone = (a: string, b: string): boolean => a.replace(/\D/g, '') === b.replace(/\D/g, '') && /\d/.test(a);
const sameEmail = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

const fieldPatch = (code: ContactFieldCode, values: string[]) => ({ field_code: code, values: values.map((value) => ({ value, enum_code: 'WORK' })) });

/** The contact's fields after adding what it lacks; undefined when it lacks nothing. */
function mergeInto(contact: AmocrmContact, d: ChatContactDetails): Record<string, unknown> | undefined {
  const fields = [];
  if (d.phone && !contact.phones.some((p) => samePhone(p, d.phone!))) fields.push(fieldPatch('PHONE', [...contact.phones, d.phone]));
  if (d.email && !contact.emails.some((e) => sameEmail(e, d.email!))) fields.push(fieldPatch('EMAIL', [...contact.emails, d.email]));
  // A manager may have renamed the contact: only the name we gave before (or none) is replaced.
  const rename = d.name !== contact.name && (contact.name === '' || contact.name === d.previousName);
  if (fields.length === 0 && !rename) return undefined;
  return { ...(rename ? { name: d.name } : {}), ...(fields.length > 0 ? { custom_fields_values: fields } : {}) };
}

export function createContactsApi(call: Call) {
  async function getOptional(accountId: number, path: string): Promise<unknown> {
    try {
      const res = await call(accountId, 'GET', path);
      return res.status === 204 ? undefined : res.json;
    } catch (err) {
      if (err instanceof AmocrmError && err.upstreamStatus === 404) return undefined;
      throw err;
    }
  }

  const api = {
    /** The contact a chat is linked to (for a chat in an unsorted lead, that lead's contact). */
    async chatContactId(accountId: number, chatId: string): Promise<number | undefined> {
      const path = `/api/v4/contacts/chats?chat_id[]=${encodeURIComponent(chatId)}`;
      const body = await getOptional(accountId, path);
      if (body === undefined) return undefined;
      return parse(chatLinksSchema, 'GET', path, 200, body)._embedded.chats.find((c) => c.chat_id === chatId)?.contact_id;
    },

    async getContact(accountId: number, contactId: number): Promise<AmocrmContact | undefined> {
      const path = `/api/v4/contacts/${contactId}`;
      const body = await getOptional(accountId, path);
      return body === undefined ? undefined : toContact(parse(contactSchema, 'GET', path, 200, body));
    },

    /** The first contact whose phone or e-mail is exactly this one (amoCRM's search is wider; we re-check). */
    async findContact(accountId: number, by: { phone?: string | undefined; email?: string | undefined }): Promise<AmocrmContact | undefined> {
      for (const [code, value] of [['PHONE', by.phone], ['EMAIL', by.email]] as const) {
        if (!value) continue;
        const path = `/api/v4/contacts?query=${encodeURIComponent(value)}&limit=50`;
        const body = await getOptional(accountId, path);
        if (body === undefined) continue;
        const found = parse(contactsSchema, 'GET', path, 200, body)._embedded.contacts.map(toContact);
        const match = found.find((c) => (code === 'PHONE' ? c.phones.some((p) => samePhone(p, value)) : c.emails.some((e) => sameEmail(e, value))));
        if (match) return match;
      }
      return undefined;
    },

    async createContact(accountId: number, d: { name: string; phone?: string | undefined; email?: string | undefined }): Promise<number> {
      const path = '/api/v4/contacts';
      const fields = [...(d.phone ? [fieldPatch('PHONE', [d.phone])] : []), ...(d.email ? [fieldPatch('EMAIL', [d.email])] : [])];
      const res = await call(accountId, 'POST', path, [{ name: d.name, ...(fields.length > 0 ? { custom_fields_values: fields } : {}) }]);
      return parse(createdSchema, 'POST', path, res.status, res.json)._embedded.contacts[0]!.id;
    },

    async updateContact(accountId: number, contactId: number, patch: Record<string, unknown>): Promise<void> {
      await call(accountId, 'PATCH', `/api/v4/contacts/${contactId}`, patch);
    },

    /** Links the chat to the contact; a chat has one contact at most (§4.11). */
    async linkChat(accountId: number, contactId: number, chatId: string): Promise<void> {
      const path = '/api/v4/contacts/chats';
      const res = await call(accountId, 'POST', path, [{ contact_id: contactId, chat_id: chatId }]);
      parse(chatLinksSchema, 'POST', path, res.status, res.json);
    },

    /**
     * Brings what the client told us into the chat's contact. Safe to repeat: what the contact already
     * has is not added again, and a chat left unlinked by an interrupted try finds the contact that try
     * created by its phone or e-mail. Without a phone or e-mail an unlinked chat gets no contact.
     */
    async syncChatContact(accountId: number, chatId: string, d: ChatContactDetails): Promise<ChatContactOutcome> {
      const linkedId = await api.chatContactId(accountId, chatId);
      const linked = linkedId === undefined ? undefined : await api.getContact(accountId, linkedId);
      if (linked) {
        const patch = mergeInto(linked, d);
        if (!patch) return 'unchanged';
        await api.updateContact(accountId, linked.id, patch);
        return 'updated';
      }
      if (!d.phone && !d.email) return 'unchanged';
      const found = await api.findContact(accountId, d);
      if (found) {
        const patch = mergeInto(found, { ...d, previousName: '' });
        if (patch) await api.updateContact(accountId, found.id, patch);
        await api.linkChat(accountId, found.id, chatId);
        return 'linked';
      }
      await api.linkChat(accountId, await api.createContact(accountId, d), chatId);
      return 'created';
    },
  };
  return api;
}
