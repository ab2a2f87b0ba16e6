/**
 * What survives a page load, per site key: the visitor's session, the unsent outbox, the last event seen and
 * the last message read. localStorage can be missing or throw (private modes, storage quotas, sandboxed
 * iframes); the bubble then keeps the same data in memory and still works for the page's lifetime.
 */
import type { PageRef } from './page-context.js';
import type { BubbleSettings, Profile, QuotedMessage, SendFailure, Session } from './model.js';

/**
 * A message waiting for its 202, in send order. A file waiting for its upload is kept in memory only (a Blob
 * cannot be saved); once uploaded, `fileId` makes the item plain JSON that survives a reload.
 */
export interface OutboxItem {
  clientMsgid: string;
  text?: string;
  fileId?: string;
  /** What to show for the file while the send is pending. */
  attachment?: { url: string; name: string; size?: number; contentType?: string };
  replyTo?: QuotedMessage;
  /** A recorded voice note (shown as one in amoCRM), not any audio file. */
  isVoice?: boolean;
  createdAt: number;
  /** Set once the message stopped: it stays on screen (and across reloads) with this reason. */
  failure?: SendFailure;
  /** The page it was written on, when that differs from the previous message's (page-context.ts). */
  page?: PageRef;
}

export interface SavedState {
  session?: Session;
  outbox: OutboxItem[];
  lastEventId?: string;
  /** The newest manager message the visitor has seen; the unread badge counts what came after it. */
  lastReadMsgid?: string;
  profile?: Profile;
  isOpen?: boolean;
  /** The page that went with the visitor's latest message. */
  lastPage?: PageRef;
  /** The visitor ticked the site's consent checkbox. */
  consented?: boolean;
  /** The site's settings as the last load got them: the next load draws its launcher from them at once. */
  settings?: BubbleSettings;
}

export interface StateStorage {
  load(): SavedState;
  save(state: SavedState): void;
  clear(): void;
  /** Writes held in memory (privacy: nothing on the device before the chat is opened) go to the device from now on. */
  allowWrites?(): void;
}

/**
 * With `holdWrites`, nothing is written to the device until `allowWrites()` (the visitor opened the
 * chat), unless this browser already keeps the chat's state (the visitor opened it on an earlier visit).
 */
export function createStateStorage(siteKey: string, backing: Storage | undefined = safeLocalStorage(), holdWrites = false): StateStorage {
  const key = `amo-webchat:${siteKey}`;
  let memory: SavedState = { outbox: [] };
  let held = holdWrites && !readRaw(backing, key);
  return {
    load() {
      try {
        const raw = backing?.getItem(key);
        if (raw) memory = { outbox: [], ...(JSON.parse(raw) as Partial<SavedState>) };
      } catch {
        // Unreadable or foreign data: start afresh rather than break the page.
      }
      if (!Array.isArray(memory.outbox)) memory.outbox = [];
      return structuredCopy(memory);
    },
    save(state) {
      memory = structuredCopy(state);
      if (held) return;
      try {
        backing?.setItem(key, JSON.stringify(state));
      } catch {
        // Quota or disabled storage: memory keeps it for this page.
      }
    },
    allowWrites() {
      if (!held) return;
      held = false;
      this.save(memory);
    },
    clear() {
      memory = { outbox: [] };
      try {
        backing?.removeItem(key);
      } catch {
        // See save().
      }
    },
  };
}

function readRaw(backing: Storage | undefined, key: string): string | null {
  try {
    return backing?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

function structuredCopy<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
