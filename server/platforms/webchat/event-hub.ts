/**
 * Open event streams (Server-Sent Events), per conversation. The timeline in the store is the
 * source of truth: on every publish a conversation's streams pull what they have not seen yet,
 * in id order, so a stream never skips an event and a reconnect with `Last-Event-ID` resumes
 * exactly. Another instance's events arrive as notices (`pullConversation`); heartbeats keep
 * proxies from closing idle streams and also pull, which catches up a notice that was missed.
 * Typing is ephemeral: written straight to the streams, without an id. Writing a manager message
 * to a stream is reported (`onManagerMessagesStreamed`): that is what makes it "delivered", message
 * by message (a lower id that becomes visible late is not covered by a higher one written first).
 * Caps (`StreamLimits`): beyond a conversation's cap its oldest stream is closed; beyond the
 * per-address, per-account or process cap a new stream is refused before anything is written.
 */
import type { Response } from 'express';
import type { ConversationId, EventStamp, TimelineEvent, TypingNotice } from '../../bridge/index.js';
import type { StreamLimits } from './limits.js';

export interface EventHubOptions {
  /** The conversation's events after `afterId`, oldest first, without those in `except`. */
  timelineAfter(conversationId: ConversationId, afterId: number, limit: number, except: readonly number[]): Promise<TimelineEvent[]>;
  /** The ids and insertion stamps of the conversation's newest `limit` events up to `uptoId`, newest first. */
  timelineStampsUpTo(conversationId: ConversationId, uptoId: number, limit: number): Promise<EventStamp[]>;
  /** Milliseconds, for settling (default `performance.now`). */
  now?: () => number;
  /** Unix ms, compared with events' insertion stamps (default `Date.now`). */
  wallClock?: () => number;
  heartbeatMs: number;
  limits: StreamLimits;
  onError(err: unknown): void;
  /** The manager messages with these event ids (ascending) were just written to at least one open stream. */
  onManagerMessagesStreamed(conversationId: ConversationId, eventIds: readonly number[]): void;
}

/** Whose stream it is: the conversation, its account, the client's address key. */
export interface StreamOwner {
  conversationId: ConversationId;
  accountId: number;
  client: string;
}

/** Which cap refused a stream. */
export type StreamRefusal = 'client' | 'account' | 'total';

interface Stream extends StreamOwner {
  res: Response;
  /** Every event up to this id has been written to the stream, or will never be (settled). */
  lastId: number;
  /** Events after `lastId` already written, with when they were first read (`now()`). */
  sent: Map<number, number>;
  /** `lastId` is the cursor the stream was opened at, not yet moved back over the unsettled events below it. */
  opening: boolean;
}

const PAGE = 500;
/**
 * Event ids are taken when an event is inserted and become visible when its transaction commits.
 * On PostgreSQL transactions commit side by side (the group commit runs two at once, every instance
 * its own), so an event can become visible after one with a higher id: a reader that only asked for
 * ids above the highest it had seen would skip it for good. So a stream's cursor (`lastId`) moves
 * past an event only once the event was first read this long before the read that settles it: by
 * then every transaction that took a lower id has ended (ours last milliseconds). Until then the
 * reads ask for everything after the cursor except what was already written, so a late event is
 * written when its own notice arrives, after its neighbours. SQLite commits in id order; there the
 * rule costs only a slightly larger read.
 */
const SETTLE_MS = 2_000;
/**
 * A stream opened at a cursor (`Last-Event-ID`, `?last_event_id=`, or the newest id for a new
 * stream) cannot know which unsettled events below it the client was given: one may have become
 * visible only after the client's cursor was taken. So the stream starts before the events inserted
 * in the last `REPLAY_MS` (the settle window plus room for the instances' clocks to differ) and
 * sends them again, at most `REPLAY_EVENTS` of them. The client already has most: every event
 * carries the id of what it is about, and the bubble merges a repeat into what it shows. Replayed
 * in id order, the events leave the client where it was, plus whatever it had missed.
 */
const REPLAY_MS = SETTLE_MS + 3_000;
const REPLAY_EVENTS = 50;
/** A client that reads slower than this much buffered output is dropped; it resumes from its last id. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export function createEventHub(opts: EventHubOptions) {
  const streams = new Map<ConversationId, Set<Stream>>();
  const pulls = new Map<ConversationId, { again: boolean; done: Promise<void> }>();
  let total = 0;
  const perClient = new Map<string, number>();
  const perAccount = new Map<number, number>();
  const caps = opts.limits;
  const now = opts.now ?? (() => performance.now());
  const wallClock = opts.wallClock ?? Date.now;

  const heartbeat = setInterval(() => {
    for (const [conversationId, set] of streams) {
      for (const s of set) write(s, ': ping\n\n');
      void pull(conversationId);
    }
  }, opts.heartbeatMs);
  heartbeat.unref();

  /** True when the chunk went to an open stream. */
  function write(s: Stream, chunk: string): boolean {
    if (s.res.writableEnded || s.res.destroyed) return false;
    s.res.write(chunk);
    if (s.res.writableLength > MAX_BUFFERED_BYTES) s.res.end();
    return true;
  }

  function count<K>(map: Map<K, number>, key: K, by: 1 | -1): void {
    const n = (map.get(key) ?? 0) + by;
    if (n > 0) map.set(key, n);
    else map.delete(key);
  }

  function remove(s: Stream): void {
    const set = streams.get(s.conversationId);
    if (!set?.delete(s)) return;
    total--;
    count(perClient, s.client, -1);
    count(perAccount, s.accountId, -1);
    if (set.size === 0) streams.delete(s.conversationId);
  }

  function close(s: Stream): void {
    remove(s);
    s.res.end();
  }

  /** The cap a new stream would break; a stream it replaces (the conversation's oldest) is counted out. */
  function refusal(who: StreamOwner, replaced: Stream | undefined): StreamRefusal | undefined {
    const freed = (same: boolean) => (replaced && same ? 1 : 0);
    if ((perClient.get(who.client) ?? 0) - freed(replaced?.client === who.client) >= caps.perIp) return 'client';
    if ((perAccount.get(who.accountId) ?? 0) - freed(replaced?.accountId === who.accountId) >= caps.perAccount) return 'account';
    if (total - freed(true) >= caps.total) return 'total';
    return undefined;
  }

  /**
   * Moves a new stream's cursor back to the newest event inserted more than `REPLAY_MS` ago (within
   * the newest `REPLAY_EVENTS`), so that the read that follows replays the unsettled ones.
   */
  async function openCursor(s: Stream): Promise<void> {
    const stamps = await opts.timelineStampsUpTo(s.conversationId, s.lastId, REPLAY_EVENTS);
    const settledBefore = wallClock() - REPLAY_MS;
    const settled = stamps.find((e) => e.createdAt < settledBefore) ?? (stamps.length < REPLAY_EVENTS ? undefined : stamps.at(-1));
    // No settled event among fewer than REPLAY_EVENTS: every event of the conversation is recent.
    s.lastId = settled?.id ?? 0;
    s.opening = false;
  }

  async function pullOnce(conversationId: ConversationId): Promise<void> {
    const set = streams.get(conversationId);
    if (!set || set.size === 0) return;
    for (const s of set) if (s.opening) await openCursor(s);
    const readAt = now();
    // A stream added while this pull reads waits for the next one, which `add` asks for: its cursor is not open yet.
    const all = [...set];
    let from = Math.min(...all.map((s) => s.lastId));
    // Left out of the read: what every stream was already given.
    const except = [...all[0]!.sent.keys()].filter((id) => id > from && all.every((s) => s.sent.has(id)));
    const managerWritten: number[] = [];
    for (;;) {
      const events = await opts.timelineAfter(conversationId, from, PAGE, except);
      for (const e of events) {
        const frame = `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;
        for (const s of all) {
          if (e.id <= s.lastId || s.sent.has(e.id)) continue;
          if (write(s, frame) && e.type === 'message' && e.data.from === 'manager' && managerWritten.at(-1) !== e.id) managerWritten.push(e.id);
          s.sent.set(e.id, readAt);
        }
      }
      if (events.length < PAGE) break;
      from = events[events.length - 1]!.id;
    }
    for (const s of all) settle(s, readAt);
    if (managerWritten.length > 0) opts.onManagerMessagesStreamed(conversationId, managerWritten);
  }

  /** Moves the cursor past the events first read at least `SETTLE_MS` before this read (`readAt`). */
  function settle(s: Stream, readAt: number): void {
    let upto = s.lastId;
    for (const [id, firstRead] of s.sent) if (firstRead + SETTLE_MS <= readAt && id > upto) upto = id;
    if (upto === s.lastId) return;
    s.lastId = upto;
    for (const id of s.sent.keys()) if (id <= upto) s.sent.delete(id);
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
    /**
     * Admits a stream within the caps, or names the cap it would break and touches nothing. An
     * admitted stream is counted at once; `start` then writes the response head, and everything
     * after `lastId` is replayed (the returned promise settles when that is written).
     */
    add(who: StreamOwner, res: Response, lastId: number, start: () => void): { refused: StreamRefusal } | { replayed: Promise<void> } {
      const set = streams.get(who.conversationId);
      const oldest = set && set.size >= caps.perConversation ? set.values().next().value : undefined;
      const refused = refusal(who, oldest);
      if (refused) return { refused };
      if (oldest) close(oldest);
      const s: Stream = { ...who, res, lastId, sent: new Map(), opening: true };
      let live = streams.get(who.conversationId);
      if (!live) streams.set(who.conversationId, (live = new Set()));
      live.add(s);
      total++;
      count(perClient, who.client, 1);
      count(perAccount, who.accountId, 1);
      res.on('close', () => remove(s));
      start();
      return { replayed: pull(who.conversationId) };
    },

    /** Ends the streams of one account's visitors (its site key changed: their tokens no longer work). */
    closeAccount(accountId: number): void {
      for (const set of [...streams.values()]) for (const s of [...set]) if (s.accountId === accountId) close(s);
    },

    /** Ends the streams of one conversation (its data was deleted; the page reconnects and starts afresh). */
    closeConversation(conversationId: ConversationId): void {
      for (const s of [...(streams.get(conversationId) ?? [])]) close(s);
    },

    /** Streams the new event (with anything else unseen); resolves with how many streams are open. */
    async publish(event: TimelineEvent): Promise<number> {
      if (!streams.get(event.conversationId)?.size) return 0;
      await pull(event.conversationId);
      return streams.get(event.conversationId)?.size ?? 0;
    },

    /** Another instance announced an event of this conversation (no-op without streams here). */
    pullConversation(conversationId: ConversationId): void {
      if (streams.get(conversationId)?.size) void pull(conversationId);
    },

    /** Catches every open stream up (announcements may have been missed). */
    pullAll(): void {
      for (const conversationId of streams.keys()) void pull(conversationId);
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
      perClient.clear();
      perAccount.clear();
      total = 0;
    },
  };
}

export type EventHub = ReturnType<typeof createEventHub>;
