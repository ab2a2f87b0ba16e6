/**
 * Open event streams (Server-Sent Events), per conversation. The timeline in the store is the
 * source of truth: on every publish a conversation's streams pull what they have not seen yet,
 * in id order, so a stream never skips an event and a reconnect with `Last-Event-ID` resumes
 * exactly. Heartbeats keep proxies from closing idle streams and also pull, which picks up events
 * another process wrote. Typing is ephemeral: written straight to the streams, without an id.
 */
import type { Response } from 'express';
import type { ConversationId, TimelineEvent, TypingNotice } from '../../bridge/index.js';

export interface EventHubOptions {
  timelineAfter(conversationId: ConversationId, afterId: number, limit: number): Promise<TimelineEvent[]>;
  heartbeatMs: number;
  /** Streams per conversation (tabs of one visitor); the oldest is closed beyond this. */
  maxPerConversation: number;
  /** Streams in total; more are refused. */
  maxTotal: number;
  onError(err: unknown): void;
}

interface Stream {
  conversationId: ConversationId;
  res: Response;
  lastId: number;
}

const PAGE = 500;
/** A client that reads slower than this much buffered output is dropped; it resumes from its last id. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export function createEventHub(opts: EventHubOptions) {
  const streams = new Map<ConversationId, Set<Stream>>();
  const pulls = new Map<ConversationId, { again: boolean; done: Promise<void> }>();
  let total = 0;

  const heartbeat = setInterval(() => {
    for (const [conversationId, set] of streams) {
      for (const s of set) write(s, ': ping\n\n');
      void pull(conversationId);
    }
  }, opts.heartbeatMs);
  heartbeat.unref();

  function write(s: Stream, chunk: string): void {
    if (s.res.writableEnded || s.res.destroyed) return;
    s.res.write(chunk);
    if (s.res.writableLength > MAX_BUFFERED_BYTES) s.res.end();
  }

  function remove(s: Stream): void {
    const set = streams.get(s.conversationId);
    if (!set?.delete(s)) return;
    total--;
    if (set.size === 0) streams.delete(s.conversationId);
  }

  async function pullOnce(conversationId: ConversationId): Promise<void> {
    const set = streams.get(conversationId);
    if (!set || set.size === 0) return;
    let from = Math.min(...[...set].map((s) => s.lastId));
    for (;;) {
      const events = await opts.timelineAfter(conversationId, from, PAGE);
      for (const e of events) {
        const frame = `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;
        for (const s of set) {
          if (e.id <= s.lastId) continue;
          write(s, frame);
          s.lastId = e.id;
        }
      }
      if (events.length < PAGE) return;
      from = events[events.length - 1]!.id;
    }
  }

  /** Pulls for a conversation; calls during a pull make it run once more instead of in parallel. */
  function pull(conversationId: ConversationId): Promise<void> {
    const running = pulls.get(conversationId);
    if (running) {
      running.again = true;
      return running.done;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await pullOnce(conversationId);
        } while (state.again);
      } catch (err) {
        opts.onError(err);
      } finally {
        pulls.delete(conversationId);
      }
    })();
    pulls.set(conversationId, state);
    return state.done;
  }

  return {
    /** Attaches an open SSE response; replays what came after `lastId`. False when the hub is full. */
    async add(conversationId: ConversationId, res: Response, lastId: number): Promise<boolean> {
      if (total >= opts.maxTotal) return false;
      let set = streams.get(conversationId);
      if (!set) streams.set(conversationId, (set = new Set()));
      if (set.size >= opts.maxPerConversation) {
        const oldest = set.values().next().value;
        if (oldest) {
          remove(oldest);
          oldest.res.end();
        }
      }
      const s: Stream = { conversationId, res, lastId };
      set.add(s);
      total++;
      res.on('close', () => remove(s));
      await pull(conversationId);
      return true;
    },

    /** Streams the new event (with anything else unseen); resolves with how many streams are open. */
    async publish(event: TimelineEvent): Promise<number> {
      if (!streams.get(event.conversationId)?.size) return 0;
      await pull(event.conversationId);
      return streams.get(event.conversationId)?.size ?? 0;
    },

    typing(conversationId: ConversationId, notice: TypingNotice): void {
      const frame = `event: typing\ndata: ${JSON.stringify({ from: notice.from, until: notice.until })}\n\n`;
      for (const s of streams.get(conversationId) ?? []) write(s, frame);
    },

    get size(): number {
      return total;
    },

    /** Ends every stream (shutdown); clients reconnect elsewhere and resume. */
    closeAll(): void {
      clearInterval(heartbeat);
      for (const set of streams.values()) for (const s of set) s.res.end();
      streams.clear();
      total = 0;
    },
  };
}

export type EventHub = ReturnType<typeof createEventHub>;
