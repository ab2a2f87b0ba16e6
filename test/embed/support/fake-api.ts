/**
 * A scriptable stand-in for the bubble's `ChatApi`: records every call, answers from per-method queues
 * (a value, an ApiError, or a promise the test settles), and exposes the event stream so a test can open,
 * drop and feed it like the backend would.
 */
import { ApiError, type ChatApi, type EventHandlers, type History, type OutgoingMessage } from '../../../webchat-embed/src/api.js';
import { DEFAULT_MAX_FILE_BYTES, type BubbleSettings, type ChatEvent, type ChatMessage, type Profile, type Session } from '../../../webchat-embed/src/model.js';

type Answer<T> = T | ApiError | Promise<T>;

export interface FakeStream {
  token: string;
  lastEventId: string | undefined;
  handlers: EventHandlers;
  isClosed: boolean;
  emit(event: ChatEvent, id?: string): void;
}

export class FakeApi implements ChatApi {
  calls: Array<{ method: keyof ChatApi; args: unknown[] }> = [];
  streams: FakeStream[] = [];
  history: ChatMessage[] = [];
  historyEventId: string | undefined;
  #queues = new Map<keyof ChatApi, Answer<unknown>[]>();
  #msgSeq = 0;
  #fileSeq = 0;
  /** client_msgid → msgid, as an idempotent backend keeps it. */
  accepted = new Map<string, string>();

  /** The next calls of `method` answer these, in order; afterwards the default answer applies. */
  answer<K extends keyof ChatApi>(method: K, ...answers: Answer<Awaited<ReturnType<ChatApi[K]>>>[]): void {
    this.#queues.set(method, [...(this.#queues.get(method) ?? []), ...answers]);
  }

  callsOf(method: keyof ChatApi): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  get stream(): FakeStream {
    const s = this.streams[this.streams.length - 1];
    if (!s) throw new Error('no event stream was opened');
    return s;
  }

  async #next<T>(method: keyof ChatApi, args: unknown[], fallback: () => T): Promise<T> {
    this.calls.push({ method, args });
    const queued = this.#queues.get(method)?.shift() as Answer<T> | undefined;
    if (queued instanceof ApiError) throw queued;
    if (queued !== undefined) return queued;
    return fallback();
  }

  loadSettings(siteKey: string): Promise<BubbleSettings> {
    return this.#next('loadSettings', [siteKey], () => ({ maxFileBytes: DEFAULT_MAX_FILE_BYTES }));
  }
  createSession(siteKey: string, profile: Profile): Promise<Session> {
    return this.#next('createSession', [siteKey, profile], () => ({ token: `token-${this.callsOf('createSession').length}`, conversationId: 'conv-1' }));
  }
  updateProfile(token: string, siteKey: string, profile: Profile): Promise<Session> {
    return this.#next('updateProfile', [token, siteKey, profile], () => ({ token: `${token}+profile`, conversationId: 'conv-1' }));
  }
  listMessages(token: string): Promise<History> {
    return this.#next('listMessages', [token], () => ({ messages: structuredClone(this.history), ...(this.historyEventId ? { lastEventId: this.historyEventId } : {}) }));
  }
  sendMessage(token: string, message: OutgoingMessage): Promise<{ msgid: string }> {
    return this.#next('sendMessage', [token, message], () => {
      let msgid = this.accepted.get(message.clientMsgid);
      if (!msgid) {
        msgid = `m-${++this.#msgSeq}`;
        this.accepted.set(message.clientMsgid, msgid);
      }
      return { msgid };
    });
  }
  editMessage(token: string, msgid: string, text: string): Promise<void> {
    return this.#next('editMessage', [token, msgid, text], () => undefined);
  }
  uploadFile(token: string, file: Blob, name: string, isVoice?: boolean): Promise<{ fileId: string; url: string }> {
    return this.#next('uploadFile', [token, file, name, isVoice], () => ({ fileId: `f-${++this.#fileSeq}`, url: `https://chat.example.test/files/f-${this.#fileSeq}/${name}` }));
  }
  sendTyping(token: string): Promise<void> {
    return this.#next('sendTyping', [token], () => undefined);
  }
  react(token: string, msgid: string, emoji: string | null): Promise<void> {
    return this.#next('react', [token, msgid, emoji], () => undefined);
  }
  markRead(token: string, msgid: string): Promise<void> {
    return this.#next('markRead', [token, msgid], () => undefined);
  }
  openEvents(token: string, lastEventId: string | undefined, handlers: EventHandlers) {
    this.calls.push({ method: 'openEvents', args: [token, lastEventId] });
    const stream: FakeStream = {
      token,
      lastEventId,
      handlers,
      isClosed: false,
      emit(event, id) {
        if (id) handlers.onEventId(id);
        handlers.onEvent(event);
      },
    };
    this.streams.push(stream);
    return {
      close: () => void (stream.isClosed = true),
      reconnectNow: () => handlers.onOpen(true),
    };
  }
}

let seq = 0;
/** A message from the manager as the backend would send it. */
export function managerMessage(overrides: Partial<ChatMessage> = {}): ChatMessage {
  seq++;
  return { msgid: `srv-${seq}`, author: 'manager', authorName: 'Anna', kind: 'text', text: `Hello ${seq}`, reactions: [], createdAt: Date.now() + seq, ...overrides };
}

export const network = (): ApiError => new ApiError(0, 'network', 'Failed to fetch');

/** Lets promise chains and queued microtasks run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
