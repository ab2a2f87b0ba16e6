/**
 * Messages leave in the order they were written, one at a time, each retried with the same client msgid
 * until the backend answers 202: a lost answer and a retry still make one message. A refusal that retrying
 * cannot fix (a 4xx other than 401/408/429) stops a message for good; an outage that outlasts
 * MAX_TRIES stops it too, and only then may the visitor send it again. Stopped messages are kept (and
 * saved) in their place, with the reason.
 */
import { ApiError } from './api.js';
import type { SendFailure } from './model.js';
import type { OutboxItem } from './storage.js';

export interface OutboxDeps {
  upload(file: File, isVoice: boolean): Promise<{ fileId: string; url: string }>;
  send(item: OutboxItem): Promise<{ msgid: string }>;
  /** The token was refused: get a new session before the next try. */
  renewSession(): Promise<void>;
  onUploaded(item: OutboxItem): void;
  onSent(item: OutboxItem, msgid: string): void;
  onFailed(item: OutboxItem, error: ApiError): void;
  /** The items that can survive a reload (waiting or stopped; a file not uploaded yet only once stopped), in order. */
  persist(items: OutboxItem[]): void;
  /** A try failed and another is scheduled; the bubble shows it is offline. */
  onRetrying(error: ApiError): void;
  onDrained(): void;
}

interface Entry {
  item: OutboxItem;
  /** A picked, pasted, dropped or recorded file not uploaded yet. */
  file?: File;
}

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
/** Tries of one message through an outage (about 1.5 minutes of backoff) before the visitor is asked. */
export const MAX_TRIES = 8;

/** Why a message stopped; only an interrupted one can succeed when sent again. */
export function failureOf(error: ApiError): SendFailure {
  if (error.status === 413) return 'fileTooLarge';
  if (error.status === 415) return 'fileType';
  if (error.status === 401 || error.status === 403 || error.status === 404) return 'unavailable';
  return error.isRetryable ? 'sendInterrupted' : 'sendFailed';
}

export class Outbox {
  #queue: Entry[] = [];
  #failed = new Map<string, Entry>();
  #isRunning = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #deps: OutboxDeps;

  constructor(deps: OutboxDeps, saved: OutboxItem[] = []) {
    this.#deps = deps;
    for (const item of saved) {
      if (item.failure) this.#failed.set(item.clientMsgid, { item });
      else this.#queue.push({ item });
    }
  }

  get items(): OutboxItem[] {
    return this.#queue.map((e) => e.item);
  }

  add(item: OutboxItem, file?: File): void {
    this.#queue.push(file ? { item, file } : { item });
    this.#persist();
    this.kick();
  }

  /** Puts a stopped message back in line, same client msgid. */
  retry(clientMsgid: string): boolean {
    const entry = this.#failed.get(clientMsgid);
    if (!entry || entry.item.failure !== 'sendInterrupted') return false;
    this.#failed.delete(clientMsgid);
    delete entry.item.failure;
    this.add(entry.item, entry.file);
    return true;
  }

  /** Try now (the browser is back online, the event stream reconnected…), forgetting the backoff. */
  kick(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#attempt = 0;
    void this.#run();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  async #run(): Promise<void> {
    if (this.#isRunning) return;
    this.#isRunning = true;
    try {
      while (this.#queue.length > 0) {
        const entry = this.#queue[0]!;
        try {
          await this.#deliver(entry);
          this.#queue.shift();
          this.#attempt = 0;
          this.#persist();
        } catch (err) {
          const error = err instanceof ApiError ? err : new ApiError(0, 'unexpected', String(err));
          if (error.status === 401) {
            await this.#deps.renewSession().catch(() => undefined);
          }
          if ((error.status === 401 || error.isRetryable) && this.#attempt < MAX_TRIES - 1) {
            this.#attempt++;
            this.#deps.onRetrying(error);
            const delay = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** (this.#attempt - 1));
            this.#timer = setTimeout(() => {
              this.#timer = undefined;
              void this.#run();
            }, delay);
            return;
          }
          this.#queue.shift();
          this.#attempt = 0;
          entry.item.failure = failureOf(error);
          this.#failed.set(entry.item.clientMsgid, entry);
          this.#persist();
          this.#deps.onFailed(entry.item, error);
        }
      }
      this.#deps.onDrained();
    } finally {
      this.#isRunning = false;
    }
  }

  async #deliver(entry: Entry): Promise<void> {
    if (entry.file && !entry.item.fileId) {
      const { fileId, url } = await this.#deps.upload(entry.file, entry.item.isVoice === true);
      entry.item.fileId = fileId;
      entry.item.attachment = { ...(entry.item.attachment ?? { name: entry.file.name }), url };
      delete entry.file;
      this.#persist();
      this.#deps.onUploaded(entry.item);
    }
    const { msgid } = await this.#deps.send(entry.item);
    this.#deps.onSent(entry.item, msgid);
  }

  #persist(): void {
    const waiting = this.#queue.filter((e) => !e.file).map((e) => e.item);
    // A stopped file is saved without its local preview: an object URL dies with the page.
    const stopped = [...this.#failed.values()].map(({ item }) => (item.attachment?.url.startsWith('blob:') ? { ...item, attachment: { ...item.attachment, url: '' } } : item));
    this.#deps.persist([...stopped, ...waiting].sort((a, b) => a.createdAt - b.createdAt));
  }
}
