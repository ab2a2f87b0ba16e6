/**
 * Server-side prepared statements on PostgreSQL for the few statements every message runs
 * (`prepared.ts` registers their texts). Unnamed, each run has the server parse, analyse and plan
 * the text again, on the same cores as everything else; named, a connection parses a statement
 * once and then only binds new values. Only registered texts are named: their number is fixed, so
 * what each connection keeps on the server is bounded. Every other query runs as before.
 */
import type pg from 'pg';

const names = new Map<string, string>();

/** Makes `text` (a fixed statement text) run as a named statement on every connection. */
export function nameStatement(text: string): void {
  if (!names.has(text)) names.set(text, `amochat_${names.size + 1}`);
}

/**
 * "cached plan must not change result type": a statement reading `*` was prepared before a
 * migration (another instance's, during a rolling upgrade) added a column.
 */
function isStalePlan(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '0A000' && /cached plan/.test(String((err as { message?: unknown }).message));
}

type Query = (config: pg.QueryConfig) => Promise<pg.QueryResult>;

/**
 * Installs the naming on a new pooled connection. Kysely calls `query(text, values)`; a registered
 * text goes out as `{ name, text, values }` instead (the driver parses it on this connection's first
 * use). A stale plan switches this connection to fresh names (the stale statements stay on the
 * server until the connection ends: one set per schema change); the statement is run again under
 * its new name when no transaction was open, else the error reaches the caller as any failed
 * statement does.
 */
export function useNamedStatements(client: pg.PoolClient): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  const run = original as unknown as Query;
  let generation = 0;
  const named = (name: string) => (generation === 0 ? name : `${name}_${generation}`);
  async function runNamed(name: string, text: string, values: unknown[] | undefined): Promise<pg.QueryResult> {
    try {
      return await run({ name: named(name), text, values });
    } catch (err) {
      if (!isStalePlan(err)) throw err;
      generation++;
      if (client.getTransactionStatus() !== 'I') throw err;
      return run({ name: named(name), text, values });
    }
  }
  const flushAtEndOfTick = writesTogether(client);
  const query = (...args: unknown[]): unknown => {
    flushAtEndOfTick();
    const [text, values, callback] = args;
    const name = typeof text === 'string' && callback === undefined ? names.get(text) : undefined;
    if (name === undefined || (values !== undefined && !Array.isArray(values))) return original(...args);
    return runNamed(name, text as string, values as unknown[] | undefined);
  };
  client.query = query as typeof client.query;
}

/**
 * The connections are pipelined (`pipeline: true`): a statement is written at once, without
 * waiting for the answer to the one before. Statements issued in one turn of the event loop (the
 * units of a group commit each taking their next step) are held and written together at its end,
 * one write instead of one each: on a virtualised host a write that wakes the database costs more
 * than the statement itself.
 */
function writesTogether(client: pg.PoolClient): () => void {
  const stream = (client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
  let corked = false;
  return () => {
    if (corked) return;
    corked = true;
    stream.cork();
    // After every promise continuation of this turn: the statements they issue are in the write.
    process.nextTick(() => {
      corked = false;
      stream.uncork();
    });
  };
}
