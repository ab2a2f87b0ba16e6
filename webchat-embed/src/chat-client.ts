/**
 * The bubble's logic without its looks: the session (created at the first thing the visitor sends), the
 * live event stream with catch-up, the outbox, reads, typing, edits, reactions and the contact details.
 * Everything it shows goes through `conversation`; everything else through the listeners below.
 */
import { ApiError, type ChatApi } from './api.js';
import { Conversation } from './conversation.js';
import type { EventStream } from './event-stream.js';
import { DEFAULT_MAX_FILE_BYTES, type BubbleSettings, type ChatMessage, type Profile, type QuotedMessage, type Session } from './model.js';
import { localMessage, newClientId, previewUrl } from './outgoing.js';
import { failureOf, Outbox } from './outbox.js';
import { currentPage, pageToReport, type PageRef } from './page-context.js';
import type { OutboxItem, SavedState, StateStorage } from './storage.js';

export interface ConnectionState {
  /** The stream is down or a send is being retried. */
  isOffline: boolean;
  /** The site key is unknown: the chat cannot work on this site. */
  isUnavailable: boolean;
}

export interface ChatClientOptions {
  api: ChatApi;
  siteKey: string;
  storage: StateStorage;
  newId?: () => string;
  now?: () => number;
  /**
   * The contact name amoCRM shows for a visitor who gave none, in the bubble's language (the backend
   * cannot know which language the site speaks); `hint` tells such visitors apart.
   */
  defaultName?: (hint: string) => string;
  /** The page the visitor is on (page-context.ts); tests give their own. */
  page?: () => PageRef | undefined;
  /** The site's settings when the page already asked for them (one request per load). */
  settings?: Promise<BubbleSettings> | undefined;
}

/** Outgoing typing notices at most this often while the visitor types. */
export const TYPING_THROTTLE_MS = 3000;

export class ChatClient {
  readonly conversation = new Conversation();
  #o: Required<Omit<ChatClientOptions, 'settings'>>;
  #settings: Promise<BubbleSettings> | undefined;
  #maxFileBytes = DEFAULT_MAX_FILE_BYTES;
  #saved: SavedState;
  #outbox: Outbox;
  #stream: EventStream | undefined;
  #sessionPromise: Promise<Session> | undefined;
  #lastTypingAt = -Infinity;
  #reportedRead: string | undefined;
  #state: ConnectionState = { isOffline: false, isUnavailable: false };
  #listeners = { state: new Set<(s: ConnectionState) => void>(), incoming: new Set<(key: string, m: ChatMessage) => void>(), typing: new Set<(ms: number) => void>(), rejected: new Set<(reason: 'edit') => void>(), sent: new Set<(m: ChatMessage) => void>(), profile: new Set<(p: Profile) => void>() };

  constructor(options: ChatClientOptions) {
    const { settings, ...rest } = options;
    this.#o = { newId: newClientId, now: Date.now, defaultName: () => '', page: currentPage, ...rest };
    this.#settings = settings;
    this.#saved = this.#o.storage.load();
    this.#reportedRead = this.#saved.lastReadMsgid;
    this.#outbox = new Outbox(
      {
        upload: async (file, isVoice) => {
          // Refused here rather than after uploading megabytes the backend would refuse anyway.
          if (file.size > this.#maxFileBytes) throw new ApiError(413, 'payload_too_large', 'The file is too large.');
          return this.#o.api.uploadFile((await this.#session()).token, file, file.name, isVoice);
        },
        send: async (item) => this.#o.api.sendMessage((await this.#session()).token, { clientMsgid: item.clientMsgid, ...(item.text ? { text: item.text } : {}), ...(item.fileId ? { fileId: item.fileId } : {}), ...(item.replyTo ? { replyTo: item.replyTo.msgid } : {}), ...(item.page ? { page: item.page } : {}) }),
        renewSession: () => this.#renewSession(),
        onUploaded: (item) => {
          const m = this.conversation.get(item.clientMsgid);
          if (!m || !item.attachment) return;
          const preview = m.attachment?.url;
          this.conversation.upsert({ ...m, attachment: { ...item.attachment } });
          if (preview?.startsWith('blob:')) URL.revokeObjectURL(preview);
        },
        onSent: (item, msgid) => {
          this.conversation.confirm(item.clientMsgid, msgid);
          this.#setState({ isOffline: false });
          const m = this.conversation.get(item.clientMsgid);
          if (m) for (const l of this.#listeners.sent) l(m);
        },
        onFailed: (item, error) => {
          if (error.code === 'unknown_site_key' || (error.status === 404 && !this.#saved.session)) this.#setState({ isUnavailable: true });
          this.conversation.fail(item.clientMsgid, item.failure ?? failureOf(error));
        },
        persist: (items) => this.#save({ outbox: items }),
        onRetrying: (error) => this.#setState({ isOffline: error.status === 0 || error.status >= 500 || this.#state.isOffline }),
        onDrained: () => undefined,
      },
      this.#saved.outbox,
    );
  }

  get savedState(): Readonly<SavedState> {
    return this.#saved;
  }

  /** Largest file the backend takes, in bytes. */
  get maxFileBytes(): number {
    return this.#maxFileBytes;
  }

  get hasSession(): boolean {
    return !!this.#saved.session;
  }

  onState(l: (s: ConnectionState) => void): void {
    this.#listeners.state.add(l);
  }
  /** A new message from the manager or bot arrived live (not from history). */
  onIncoming(l: (key: string, m: ChatMessage) => void): void {
    this.#listeners.incoming.add(l);
  }
  onTyping(l: (durationMs: number) => void): void {
    this.#listeners.typing.add(l);
  }
  /** The backend accepted one of the visitor's messages (once per message, after its 202). */
  onSent(l: (m: ChatMessage) => void): void {
    this.#listeners.sent.add(l);
  }
  onRejected(l: (reason: 'edit') => void): void {
    this.#listeners.rejected.add(l);
  }
  /** The contact details changed (the visitor's form, or the site's `AmoChat.setVisitor`). */
  onProfile(l: (p: Profile) => void): void {
    this.#listeners.profile.add(l);
  }

  /**
   * Shows what is waiting in the outbox, asks the backend whether this site's chat exists (an old snippet
   * after the admin made a new code: the visitor learns it before writing), and reconnects when this
   * browser already has a conversation.
   */
  start(): void {
    for (const item of this.#saved.outbox) this.conversation.upsert(localMessage(item));
    (this.#settings ?? this.#o.api.loadSettings(this.#o.siteKey)).then(
      (settings) => {
        this.#maxFileBytes = settings.maxFileBytes;
        // Kept for the next load's launcher (index.ts); on the device only once the visitor may be written to.
        this.#save({ settings });
        this.#emitState();
      },
      (err: unknown) => {
        if (!(err instanceof ApiError && err.status === 404)) return;
        const { settings: _stale, ...rest } = this.#saved;
        this.#saved = rest;
        this.#o.storage.save(rest);
        this.#setState({ isUnavailable: true });
      },
    );
    if (this.#saved.session) {
      this.#connect(this.#saved.session);
      this.#outbox.kick();
    }
  }

  stop(): void {
    this.#stream?.close();
    this.#outbox.stop();
  }

  send(text: string, replyTo?: QuotedMessage): void {
    this.#enqueue({ clientMsgid: this.#o.newId(), text, ...(replyTo ? { replyTo } : {}), createdAt: this.#writtenAt() });
  }

  sendFiles(files: File[], replyTo?: QuotedMessage, isVoice = false): void {
    files.forEach((file, i) => {
      const item: OutboxItem = {
        clientMsgid: this.#o.newId(),
        attachment: { url: previewUrl(file), name: file.name, size: file.size, contentType: file.type },
        ...(replyTo && i === 0 ? { replyTo } : {}),
        ...(isVoice ? { isVoice } : {}),
        createdAt: this.#writtenAt(),
      };
      this.#enqueue(item, file);
    });
  }

  /**
   * When a new message counts as written: now, but never before what the visitor saw when writing it. Manager
   * messages carry the backend's clock; a browser clock behind it would otherwise draw a reply above the
   * message it answers once the reply is sent.
   */
  #writtenAt(): number {
    return Math.max(this.#o.now(), this.conversation.newestAt() + 1);
  }

  /** Puts a message that an outage stopped back in line; other stopped messages cannot succeed. */
  retry(key: string): void {
    const m = this.conversation.get(key);
    if (!m?.clientMsgid) return;
    if (this.#outbox.retry(m.clientMsgid)) this.conversation.upsert({ ...m, state: 'pending' });
  }

  async edit(key: string, text: string): Promise<void> {
    const m = this.conversation.get(key);
    if (!m?.msgid || m.text === text) return;
    const before = { text: m.text, editedAt: m.editedAt ?? 0 };
    this.conversation.apply({ type: 'edit', msgid: m.msgid, text, editedAt: this.#o.now() });
    try {
      await this.#o.api.editMessage((await this.#session()).token, m.msgid, text);
    } catch {
      this.conversation.apply({ type: 'edit', msgid: m.msgid, text: before.text, editedAt: before.editedAt });
      for (const l of this.#listeners.rejected) l('edit');
    }
  }

  async react(key: string, emoji: string | null): Promise<void> {
    const m = this.conversation.get(key);
    if (!m?.msgid) return;
    this.conversation.setOwnReaction(key, emoji);
    await this.#o.api.react((await this.#session()).token, m.msgid, emoji).catch(() => undefined);
  }

  /** The visitor is typing; tells the manager at most once per TYPING_THROTTLE_MS, and only in a started chat. */
  typing(): void {
    const session = this.#saved.session;
    if (!session || this.#o.now() - this.#lastTypingAt < TYPING_THROTTLE_MS) return;
    this.#lastTypingAt = this.#o.now();
    this.#o.api.sendTyping(session.token).catch(() => undefined);
  }

  /** The visitor sees the conversation: the newest message from the other side is read. */
  markRead(): void {
    const newest = [...this.conversation.list()].reverse().find((m) => m.author !== 'visitor' && m.msgid);
    if (!newest?.msgid || newest.msgid === this.#reportedRead) return;
    this.#reportedRead = newest.msgid;
    this.#save({ lastReadMsgid: newest.msgid });
    const session = this.#saved.session;
    if (session) this.#o.api.markRead(session.token, newest.msgid).catch(() => undefined);
  }

  /** Messages from the other side after the last one read. */
  unreadCount(): number {
    const list = this.conversation.list();
    const lastRead = this.#saved.lastReadMsgid;
    const from = lastRead ? list.findIndex((m) => m.msgid === lastRead) + 1 : 0;
    return list.slice(from).filter((m) => m.author !== 'visitor').length;
  }

  async saveProfile(profile: Profile): Promise<void> {
    this.#save({ profile });
    for (const l of this.#listeners.profile) l(profile);
    const session = this.#saved.session;
    if (!session) return; // sent with the session, at the first message
    try {
      const renewed = await this.#o.api.updateProfile(session.token, this.#o.siteKey, profile);
      if (renewed.token) this.#save({ session: renewed });
    } catch {
      // Contact details are a courtesy; the chat goes on without them.
    }
  }

  setOpen(isOpen: boolean): void {
    // Opening the chat is the visitor's first use of it: from now on its state may be kept on the device.
    if (isOpen) this.#o.storage.allowWrites?.();
    this.#save({ isOpen });
  }

  /** The visitor ticked the site's consent checkbox. */
  consent(): void {
    this.#save({ consented: true });
  }

  #enqueue(item: OutboxItem, file?: File): void {
    const page = pageToReport(this.#o.page(), this.#saved.lastPage);
    if (page) {
      item.page = page;
      this.#save({ lastPage: page });
    }
    this.conversation.upsert(localMessage(item, file));
    this.#outbox.add(item, file);
  }

  #session(): Promise<Session> {
    if (this.#saved.session) return Promise.resolve(this.#saved.session);
    this.#sessionPromise ??= this.#createSession();
    return this.#sessionPromise;
  }

  #createSession(): Promise<Session> {
    const fallbackName = this.#o.defaultName(this.#o.newId().slice(-4));
    const named = (p: Profile): Profile => (p.name || !fallbackName ? p : { ...p, name: fallbackName });
    const profile = this.#saved.profile ?? {};
    return this.#o.api
      .createSession(this.#o.siteKey, named(profile))
      // Contact details the backend refuses (a malformed phone…) must not stop the chat: start without them.
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 400 && Object.keys(profile).length > 0) return this.#o.api.createSession(this.#o.siteKey, named(profile.name ? { name: profile.name } : {}));
        throw err;
      })
      .then((session) => {
        this.#save({ session });
        this.#connect(session);
        return session;
      })
      .finally(() => (this.#sessionPromise = undefined));
  }

  async #renewSession(): Promise<void> {
    this.#stream?.close();
    this.#stream = undefined;
    const { lastEventId: _dropped, session: _old, ...rest } = this.#saved;
    this.#saved = rest;
    this.#o.storage.save(this.#saved);
    await this.#session();
  }

  #connect(session: Session): void {
    this.#stream?.close();
    const stream = this.#o.api.openEvents(session.token, this.#saved.lastEventId, {
      onEventId: (id) => this.#save({ lastEventId: id }),
      onEvent: (event) => {
        if (event.type === 'typing') {
          for (const l of this.#listeners.typing) l(event.durationMs);
          return;
        }
        const isNew = event.type === 'message' && !this.#knows(event.message);
        const key = this.conversation.apply(event);
        if (isNew && key && event.message.author !== 'visitor') for (const l of this.#listeners.incoming) l(key, event.message);
      },
      onOpen: (isReconnect) => {
        this.#setState({ isOffline: false });
        // The catch-up replay covers the gap; reloading the history as well is cheap and also covers a
        // backend that has forgotten the last event id.
        void this.#loadHistory(session);
        if (isReconnect) this.#outbox.kick();
      },
      onDown: () => this.#setState({ isOffline: true }),
      onUnauthorized: () => void this.#renewSession().catch(() => this.#setState({ isOffline: true })),
    });
    this.#stream = stream;
  }

  async #loadHistory(session: Session): Promise<void> {
    try {
      const history = await this.#o.api.listMessages(session.token);
      if (this.#saved.session?.conversationId !== session.conversationId) return;
      for (const m of history.messages) this.conversation.upsert(m);
      if (!this.#saved.lastEventId && history.lastEventId) this.#save({ lastEventId: history.lastEventId });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) void this.#renewSession().catch(() => undefined);
    }
  }

  #knows(m: ChatMessage): boolean {
    return !!((m.msgid && this.conversation.keyOfMsgid(m.msgid)) || (m.clientMsgid && this.conversation.get(m.clientMsgid)));
  }

  #save(patch: Partial<SavedState>): void {
    this.#saved = { ...this.#saved, ...patch };
    this.#o.storage.save(this.#saved);
  }

  #setState(patch: Partial<ConnectionState>): void {
    const next = { ...this.#state, ...patch };
    if (next.isOffline === this.#state.isOffline && next.isUnavailable === this.#state.isUnavailable) return;
    this.#state = next;
    this.#emitState();
  }

  #emitState(): void {
    for (const l of this.#listeners.state) l(this.#state);
  }
}
