/**
 * What the amojo emulator received in one scope, learned as each message arrives (the emulator's
 * `onMessage`). The benchmarks wait on it and read receipt stamps from it: copying every stored
 * message on each look (`chats()` / `messages()`), as they once did while polling, cost this
 * process more CPU per message than generating the load, and took it from the backend measured.
 */
import type { AmojoEmulator, MessageRecord } from '../../server/sandbox/amojo/index.js';

export class AmojoReceipts {
  /** Text → amojo's receipt stamp (`createdAt`) of the first message with it. */
  readonly #firstAt = new Map<string, number>();
  #total = 0;
  readonly #waiters = new Set<(text: string) => void>();
  readonly #unsubscribe: () => void;

  /** Starts listening now: only messages received from here on are seen. */
  constructor(emulator: AmojoEmulator, scopeId: string, accept: (m: Readonly<MessageRecord>) => boolean = () => true) {
    this.#unsubscribe = emulator.onMessage((m) => {
      if (m.scopeId !== scopeId || !accept(m)) return;
      this.#total++;
      const { text } = m.content;
      if (this.#firstAt.has(text)) return;
      this.#firstAt.set(text, m.createdAt);
      for (const waiter of this.#waiters) waiter(text);
    });
  }

  /** Messages received, repeats of a text included. */
  get total(): number {
    return this.#total;
  }

  /** Messages received with a text an earlier one already had. */
  get repeats(): number {
    return this.#total - this.#firstAt.size;
  }

  /** amojo's receipt stamp of the first message with `text`; undefined when none arrived. */
  receivedAt(text: string): number | undefined {
    return this.#firstAt.get(text);
  }

  /** Resolves true once a message with each of `texts` arrived, false when the time is up first. */
  until(texts: Iterable<string>, timeoutMs: number): Promise<boolean> {
    const missing = new Set<string>();
    for (const t of texts) if (!this.#firstAt.has(t)) missing.add(t);
    if (missing.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (all: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(all);
      };
      const waiter = (text: string) => {
        if (missing.delete(text) && missing.size === 0) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  stop(): void {
    this.#unsubscribe();
  }
}
