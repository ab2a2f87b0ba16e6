/**
 * The messages on screen, deduplicated. Each message has one stable key for its whole life: its client
 * msgid when this browser wrote it, else the backend's msgid. The same message reaching us twice (an SSE
 * echo before the 202, a catch-up replay after a reconnect, a history reload) merges into one entry.
 */
import { laterState, type Author, type ChatEvent, type ChatMessage, type SendFailure } from './model.js';

export type ConversationListener = (changedKeys: string[]) => void;

export class Conversation {
  #byKey = new Map<string, ChatMessage>();
  #keyOfMsgid = new Map<string, string>();
  #keyOfClient = new Map<string, string>();
  /** Statuses, edits and reactions that arrived before their message (e.g. before the 202). */
  #early = new Map<string, ChatEvent[]>();
  #listeners = new Set<ConversationListener>();
  #seq = 0;
  #order = new Map<string, number>();

  onChange(listener: ConversationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Oldest first; messages still waiting for the backend stay at the end, in the order they were written.
   * A message that stopped (not sent) keeps the place where it was written.
   */
  list(): Array<ChatMessage & { key: string }> {
    const entries = [...this.#byKey].map(([key, m]) => ({ ...m, key }));
    const isWaiting = (m: ChatMessage): number => (m.msgid || m.state === 'failed' ? 0 : 1);
    return entries.sort((a, b) => {
      const pa = isWaiting(a);
      const pb = isWaiting(b);
      if (pa !== pb) return pa - pb;
      return a.createdAt - b.createdAt || this.#order.get(a.key)! - this.#order.get(b.key)!;
    });
  }

  get(key: string): ChatMessage | undefined {
    return this.#byKey.get(key);
  }

  /** The newest time on screen, 0 when there is none. */
  newestAt(): number {
    let newest = 0;
    for (const m of this.#byKey.values()) newest = Math.max(newest, m.createdAt);
    return newest;
  }

  keyOfMsgid(msgid: string): string | undefined {
    return this.#keyOfMsgid.get(msgid);
  }

  /** Adds or merges a message; returns its key. */
  upsert(incoming: ChatMessage): string {
    const keyByMsgid = incoming.msgid ? this.#keyOfMsgid.get(incoming.msgid) : undefined;
    const keyByClient = incoming.clientMsgid ? this.#keyOfClient.get(incoming.clientMsgid) : undefined;
    const changed: string[] = [];
    let key = keyByClient ?? keyByMsgid;
    if (key === undefined) {
      key = incoming.clientMsgid ?? incoming.msgid ?? `local-${++this.#seq}`;
      this.#byKey.set(key, { ...incoming, reactions: [...incoming.reactions] });
      this.#order.set(key, ++this.#seq);
    } else {
      if (keyByMsgid !== undefined && keyByClient !== undefined && keyByMsgid !== keyByClient) this.#drop(keyByMsgid, changed);
      this.#byKey.set(key, merge(this.#byKey.get(key)!, incoming));
    }
    this.#index(key);
    changed.push(key);
    this.#replayEarly(key);
    this.#emit(changed);
    return key;
  }

  /** The backend accepted our message: it now has a msgid. */
  confirm(clientMsgid: string, msgid: string): void {
    const key = this.#keyOfClient.get(clientMsgid);
    if (!key) return;
    const m = this.#byKey.get(key)!;
    this.upsert({ ...m, msgid, clientMsgid, state: laterState(m.state === 'failed' ? undefined : m.state, 'sent'), reactions: m.reactions });
  }

  /** Marks an own message as not sent (with the reason to show). */
  fail(clientMsgid: string, error: SendFailure): void {
    const key = this.#keyOfClient.get(clientMsgid);
    const m = key ? this.#byKey.get(key) : undefined;
    if (!key || !m) return;
    this.#byKey.set(key, { ...m, state: 'failed', error });
    this.#emit([key]);
  }

  /** Applies a live event; returns the key it touched, if any. */
  apply(event: ChatEvent): string | undefined {
    if (event.type === 'message') return this.upsert(event.message);
    if (event.type === 'typing') return undefined;
    const key = this.#keyOfMsgid.get(event.msgid);
    const m = key ? this.#byKey.get(key) : undefined;
    if (!key || !m) {
      const list = this.#early.get(event.msgid) ?? [];
      list.push(event);
      this.#early.set(event.msgid, list.slice(-20));
      return undefined;
    }
    let next: ChatMessage = m;
    if (event.type === 'status') next = { ...m, state: laterState(m.state, event.state) };
    if (event.type === 'edit') next = { ...m, text: event.text, editedAt: event.editedAt };
    if (event.type === 'reaction') next = { ...m, reactions: withReaction(m.reactions, event.author, event.emoji) };
    this.#byKey.set(key, next);
    this.#emit([key]);
    return key;
  }

  /** Visitor-side optimistic reaction, replaced by whatever the backend later says. */
  setOwnReaction(key: string, emoji: string | null): void {
    const m = this.#byKey.get(key);
    if (!m) return;
    this.#byKey.set(key, { ...m, reactions: withReaction(m.reactions, 'visitor', emoji) });
    this.#emit([key]);
  }

  clear(): void {
    const keys = [...this.#byKey.keys()];
    this.#byKey.clear();
    this.#keyOfClient.clear();
    this.#keyOfMsgid.clear();
    this.#early.clear();
    this.#order.clear();
    this.#emit(keys);
  }

  #index(key: string): void {
    const m = this.#byKey.get(key)!;
    if (m.msgid) this.#keyOfMsgid.set(m.msgid, key);
    if (m.clientMsgid) this.#keyOfClient.set(m.clientMsgid, key);
  }

  #drop(key: string, changed: string[]): void {
    const m = this.#byKey.get(key);
    this.#byKey.delete(key);
    this.#order.delete(key);
    if (m?.msgid && this.#keyOfMsgid.get(m.msgid) === key) this.#keyOfMsgid.delete(m.msgid);
    if (m?.clientMsgid && this.#keyOfClient.get(m.clientMsgid) === key) this.#keyOfClient.delete(m.clientMsgid);
    changed.push(key);
  }

  #replayEarly(key: string): void {
    const msgid = this.#byKey.get(key)?.msgid;
    const early = msgid ? this.#early.get(msgid) : undefined;
    if (!msgid || !early) return;
    this.#early.delete(msgid);
    for (const e of early) this.apply(e);
  }

  #emit(keys: string[]): void {
    for (const l of this.#listeners) l(keys);
  }
}

/** A newer copy of a message wins field by field; delivery state only moves forward. */
function merge(old: ChatMessage, incoming: ChatMessage): ChatMessage {
  // A copy from the backend is authoritative for reactions; a local copy keeps what is on screen.
  const merged: ChatMessage = { ...old, ...incoming, reactions: incoming.msgid ? incoming.reactions : old.reactions };
  if (old.author === 'visitor' && incoming.state !== undefined) {
    merged.state = old.state === 'failed' ? incoming.state : laterState(old.state, incoming.state);
    if (merged.state !== 'failed') delete merged.error;
  }
  // A local preview (object URL) gives way to the backend's link once it is known.
  if (!incoming.attachment && old.attachment) merged.attachment = old.attachment;
  if (!incoming.replyTo && old.replyTo) merged.replyTo = old.replyTo;
  if ((old.editedAt ?? 0) > (incoming.editedAt ?? 0)) {
    merged.text = old.text;
    merged.editedAt = old.editedAt!;
  }
  return merged;
}

function withReaction(list: ChatMessage['reactions'], author: Author, emoji: string | null): ChatMessage['reactions'] {
  const rest = list.filter((r) => r.author !== author);
  return emoji ? [...rest, { emoji, author }] : rest;
}

