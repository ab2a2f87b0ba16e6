/**
 * `window.AmoChat`: what the site's own scripts can do with the bubble (README, "JavaScript API"). Calls made
 * before embed.js has loaded are kept when the page queues them (`window.AmoChat = [['open']]`, or
 * `(window.AmoChat ||= []).push([...])`) and run once the bubble is up; `amochat:ready` on `window` says it is.
 * A handler that throws is reported in the console and does not stop the bubble or the other handlers.
 */
import type { Bubble } from './bubble.js';
import type { ChatMessage, MessageKind, Profile } from './model.js';

/** What a handler of `message:received` / `message:sent` gets: the visible content, nothing internal. */
export interface PublicMessage {
  text: string;
  kind: MessageKind;
  /** The manager's name as amoCRM gives it (received messages). */
  authorName?: string;
  fileName?: string;
}

export interface PublicEvents {
  opened: undefined;
  closed: undefined;
  'message:received': PublicMessage;
  'message:sent': PublicMessage;
}
export type PublicEventName = keyof PublicEvents;
type Handler<E extends PublicEventName> = (detail: PublicEvents[E]) => void;

export interface AmoChatApi {
  open(): void;
  close(): void;
  toggle(): void;
  isOpen(): boolean;
  /**
   * Name, e-mail and phone the site already knows (a logged-in customer): shown to the manager in amoCRM.
   * Unverified, like the bubble's own contact form. A verified identity (`user_id` with the HMAC the site's
   * server computes) is the job of `identify`, which sits next to this method on the same object.
   */
  setVisitor(profile: Profile): Promise<void>;
  /** Subscribes; the returned function unsubscribes. */
  on<E extends PublicEventName>(event: E, handler: Handler<E>): () => void;
  off<E extends PublicEventName>(event: E, handler: Handler<E>): void;
}

const PROFILE_LIMITS: Record<keyof Profile, number> = { name: 100, email: 254, phone: 32 };

export function createPublicApi(bubble: Bubble): AmoChatApi {
  const handlers = new Map<PublicEventName, Set<(detail: never) => void>>();
  const emit = <E extends PublicEventName>(event: E, detail: PublicEvents[E]): void => {
    for (const h of handlers.get(event) ?? []) {
      try {
        (h as Handler<E>)(detail);
      } catch (err) {
        console.error('[AmoChat] a handler of', event, 'failed:', err);
      }
    }
  };
  const publicMessage = (m: ChatMessage): PublicMessage => ({
    text: m.text,
    kind: m.kind,
    ...(m.authorName ? { authorName: m.authorName } : {}),
    ...(m.attachment?.name ? { fileName: m.attachment.name } : {}),
  });
  bubble.onOpenChange((isOpen) => emit(isOpen ? 'opened' : 'closed', undefined));
  bubble.client.onIncoming((_key, m) => emit('message:received', publicMessage(m)));
  bubble.client.onSent((m) => emit('message:sent', publicMessage(m)));

  const api: AmoChatApi = {
    open: () => bubble.open(),
    close: () => bubble.close(),
    toggle: () => (bubble.isOpen ? bubble.close() : bubble.open()),
    isOpen: () => bubble.isOpen,
    setVisitor(profile) {
      const clean: Profile = { ...bubble.client.savedState.profile };
      for (const field of Object.keys(PROFILE_LIMITS) as (keyof Profile)[]) {
        const v: unknown = (profile as Record<string, unknown> | null | undefined)?.[field];
        if (typeof v === 'string' && v.trim()) clean[field] = v.trim().slice(0, PROFILE_LIMITS[field]);
      }
      return bubble.client.saveProfile(clean);
    },
    on(event, handler) {
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(handler as (detail: never) => void);
      return () => api.off(event, handler);
    },
    off(event, handler) {
      handlers.get(event)?.delete(handler as (detail: never) => void);
    },
  };
  return api;
}

/** Runs the calls the page queued before the bubble loaded (`[method, ...args]` each); unknown ones are reported. */
export function runQueued(api: AmoChatApi, queued: unknown): void {
  if (!Array.isArray(queued)) return;
  for (const call of queued) {
    const [method, ...args] = Array.isArray(call) ? (call as unknown[]) : [call];
    const fn = typeof method === 'string' ? (api as unknown as Record<string, unknown>)[method] : undefined;
    if (typeof fn === 'function') (fn as (...a: unknown[]) => unknown).apply(api, args);
    else console.warn('[AmoChat] unknown call', method);
  }
}
