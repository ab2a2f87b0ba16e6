/**
 * Inbound events (webhooks): recorded with a dedupe key together with the job that will process
 * them, in one transaction, so an acknowledged hook always has its job and a repeat has none.
 */
import type { StoreDb } from './db.js';
import { insertJobs, type NewJob } from './jobs-repo.js';

export interface InboundEvent {
  dedupeKey: string;
  scopeId: string;
  kind: string;
  /** The job that processes the event; created only when the event is new. */
  job: NewJob;
}

export type InboundRepo = ReturnType<typeof createInboundRepo>;

export function createInboundRepo(store: StoreDb, now: () => number = Date.now) {
  return {
    /**
     * Records a batch in one transaction (one commit for many concurrent hooks). Resolves with the
     * dedupe keys that were new; the others were repeats.
     */
    async recordBatch(events: InboundEvent[]): Promise<Set<string>> {
      if (events.length === 0) return new Set();
      const t = now();
      // Durable: the webhook's 200 follows this commit, and amoCRM never sends a hook twice.
      return store.durableTransaction(async (trx) => {
        const inserted = await trx
          .insertInto('inbound_events')
          .values(events.map((e) => ({ dedupe_key: e.dedupeKey, scope_id: e.scopeId, kind: e.kind, received_at: t })))
          .onConflict((oc) => oc.column('dedupe_key').doNothing())
          .returning('dedupe_key')
          .execute();
        const fresh = new Set(inserted.map((r) => r.dedupe_key));
        const seen = new Set<string>();
        const jobs = events.filter((e) => fresh.has(e.dedupeKey) && !seen.has(e.dedupeKey) && seen.add(e.dedupeKey)).map((e) => e.job);
        if (jobs.length > 0) await insertJobs(trx, jobs, t);
        return fresh;
      });
    },

    async has(dedupeKey: string): Promise<boolean> {
      const row = await store.db.selectFrom('inbound_events').select('dedupe_key').where('dedupe_key', '=', dedupeKey).executeTakeFirst();
      return row !== undefined;
    },
  };
}
