/**
 * The event hub against a timeline whose events become visible out of id order, as on PostgreSQL
 * when two transactions commit side by side: an event that appears after a higher one is still
 * written, once, and the cursor settles past events only after `SETTLE_MS`; a stream opened at a
 * cursor sends the recent events below it again, and one that becomes visible only later.
 */
import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import { asConversationId, type TimelineEvent } from '../../server/bridge/index.js';
import { createEventHub } from '../../server/platforms/webchat/event-hub.js';

const conversationId = asConversationId('c_hub');

/** The wall clock the hubs compare insertion stamps with. */
const WALL = 1_000_000;

/** Committed events; `commit` makes one visible, whatever its id (inserted long ago unless `createdAt` says). */
function fakeTimeline() {
  const visible: TimelineEvent[] = [];
  const reads: Array<{ afterId: number; except: readonly number[] }> = [];
  return {
    reads,
    commit(id: number, text: string, createdAt = 0) {
      visible.push({ id, type: 'message', conversationId, createdAt, data: { text, from: 'manager' } } as unknown as TimelineEvent);
      visible.sort((a, b) => a.id - b.id);
    },
    async stampsUpTo(_c: unknown, uptoId: number, limit: number) {
      return visible.filter((e) => e.id <= uptoId).reverse().slice(0, limit).map((e) => ({ id: e.id, createdAt: e.createdAt }));
    },
    async after(_c: unknown, afterId: number, limit: number, except: readonly number[]) {
      reads.push({ afterId, except: [...except] });
      return visible.filter((e) => e.id > afterId && !except.includes(e.id)).slice(0, limit);
    },
  };
}

/** A response that records the SSE frames written to it. */
function fakeResponse() {
  const frames: string[] = [];
  const res = Object.assign(new EventEmitter(), {
    writableEnded: false,
    destroyed: false,
    writableLength: 0,
    write: (chunk: string) => frames.push(chunk),
    end() {
      this.writableEnded = true;
    },
  });
  const texts = () => frames.flatMap((f) => /"text":"([^"]+)"/.exec(f)?.[1] ?? []);
  return { res: res as unknown as Response, texts };
}

function hubOver(timeline: ReturnType<typeof fakeTimeline>, clock: { t: number }, streamed: number[][] = []) {
  return createEventHub({
    timelineAfter: timeline.after,
    timelineStampsUpTo: timeline.stampsUpTo,
    now: () => clock.t,
    wallClock: () => WALL + clock.t,
    heartbeatMs: 60_000,
    limits: { perConversation: 5, perIp: 50, perAccount: 50, total: 100 },
    onError: (err) => {
      throw err;
    },
    onManagerMessagesStreamed: (_c, eventIds) => streamed.push([...eventIds]),
  });
}

/** A notice of a new event, resolved once the streams have pulled it (what `publish` does). */
const pulled = (hub: ReturnType<typeof hubOver>) => hub.publish({ conversationId } as TimelineEvent);

/** Opens a stream at `lastId`; resolves once its replay is written. */
async function openStream(hub: ReturnType<typeof hubOver>, lastId: number) {
  const { res, texts } = fakeResponse();
  const added = hub.add({ conversationId, accountId: 1, client: 'ip' }, res, lastId, () => undefined);
  if (!('replayed' in added)) throw new Error('stream refused');
  await added.replayed;
  return texts;
}

/** A hub over a fake timeline with one stream open at `lastId` (events up to it inserted long ago), its replay written. */
async function hubWithStream(lastId: number) {
  const timeline = fakeTimeline();
  for (let id = 1; id <= lastId; id++) timeline.commit(id, `old ${id}`);
  const clock = { t: 0 };
  /** The manager messages reported as written, one list per report. */
  const streamed: number[][] = [];
  const hub = hubOver(timeline, clock, streamed);
  const texts = await openStream(hub, lastId);
  return { timeline, clock, hub, texts, streamed };
}

describe('webchat event hub', () => {
  it('writes an event that becomes visible after a higher one, once, and settles the cursor later', async () => {
    const { timeline, clock, hub, texts, streamed } = await hubWithStream(10);

    // 12 commits first (the transaction that took 11 is still open)...
    timeline.commit(12, 'twelve');
    await pulled(hub);
    expect(texts()).toEqual(['twelve']);
    // Only 12 was written, so only 12 is delivered: not 11, which nobody has seen yet.
    expect(streamed).toEqual([[12]]);
    // ...then 11: still asked for, while 12 is left out of the read.
    clock.t = 50;
    timeline.commit(11, 'eleven');
    await pulled(hub);
    expect(texts()).toEqual(['twelve', 'eleven']);
    expect(timeline.reads.at(-1)).toEqual({ afterId: 10, except: [12] });
    expect(streamed).toEqual([[12], [11]]);

    // Long after: a read settles the cursor past both, and nothing is written twice.
    clock.t = 10_000;
    timeline.commit(13, 'thirteen');
    await pulled(hub);
    timeline.commit(14, 'fourteen');
    await pulled(hub);
    expect(texts()).toEqual(['twelve', 'eleven', 'thirteen', 'fourteen']);
    expect(timeline.reads.at(-1)?.afterId).toBe(12);
    hub.closeAll();
  });

  it('keeps what it asks the store for bounded while events keep coming', async () => {
    const { timeline, clock, hub, texts } = await hubWithStream(0);
    for (let id = 1; id <= 200; id++) {
      clock.t = id * 100;
      timeline.commit(id, `m${id}`);
      await pulled(hub);
    }
    expect(texts()).toHaveLength(200);
    // 100 ms apart, events settle after 2 s: about 20 are still left out of each read.
    const last = timeline.reads.at(-1)!;
    expect(last.except.length).toBeLessThanOrEqual(21);
    expect(last.afterId).toBeGreaterThanOrEqual(178);
    hub.closeAll();
  });

  it('opened at a cursor, sends the recent events below it again, and one that becomes visible after it opened', async () => {
    const timeline = fakeTimeline();
    const clock = { t: 0 };
    const hub = hubOver(timeline, clock);
    for (let id = 1; id <= 5; id++) timeline.commit(id, `old ${id}`);
    // Inserted a second ago: 6 and 8 are visible, 7's transaction is still open.
    timeline.commit(6, 'six', WALL - 1_000);
    timeline.commit(8, 'eight', WALL - 1_000);

    const texts = await openStream(hub, 8);
    expect(texts()).toEqual(['six', 'eight']);
    expect(timeline.reads.at(-1)).toEqual({ afterId: 5, except: [] });

    clock.t = 50;
    timeline.commit(7, 'seven', WALL - 1_000);
    await pulled(hub);
    expect(texts()).toEqual(['six', 'eight', 'seven']);

    // Later events once each; the cursor settles as for any stream.
    clock.t = 10_000;
    timeline.commit(9, 'nine', WALL + 10_000);
    await pulled(hub);
    await pulled(hub);
    expect(texts()).toEqual(['six', 'eight', 'seven', 'nine']);
    expect(timeline.reads.at(-1)?.afterId).toBe(8);
    hub.closeAll();
  });

  it('sends at most the newest 50 events again, and nothing when the events below the cursor are old', async () => {
    const timeline = fakeTimeline();
    const hub = hubOver(timeline, { t: 0 });
    for (let id = 1; id <= 80; id++) timeline.commit(id, `m${id}`, id <= 10 ? 0 : WALL);
    const replayed = await openStream(hub, 80);
    expect(replayed()).toHaveLength(49);
    expect(replayed()[0]).toBe('m32');
    const quiet = await openStream(hub, 10);
    // 11… are after its cursor: they are new to it, and the only events it is sent.
    expect(quiet()[0]).toBe('m11');
    expect(quiet()).toHaveLength(70);
    hub.closeAll();
  });
});
