/**
 * `GET /api/v4/leads/pipelines` and `/api/v4/sources` (widget-and-oauth.md §6.3, chats-api.md §7),
 * strict where the docs are: creating needs an admin's token, at most 50 sources per request and 50
 * active sources per integration (the docs say 50 and 100; the lower wins), `external_id` of 1–36
 * printable ASCII characters, unique in the account and fixed once created, `pipeline_id` one of the
 * account's pipelines, at most one default source. Refusals are problem+json with
 * `validation-errors` naming the item and field.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { problem, sendHal } from './problem.js';
import type { EmulatedAccount, EmulatedPipeline, EmulatedSource } from './types.js';

export const MAX_SOURCES = 50;
const EXTERNAL_ID = /^[\x20-\x7e]{1,36}$/;

/** An account with no pipelines listed still has amoCRM's main one. */
export function pipelinesOf(account: EmulatedAccount): EmulatedPipeline[] {
  return account.pipelines ?? [{ id: account.id * 10 + 1, name: 'Pipeline', isMain: true }];
}

const createItem = z.object({
  name: z.string().trim().min(1).max(255),
  external_id: z.string(),
  pipeline_id: z.number().int().positive().optional(),
  default: z.boolean().optional(),
  origin_code: z.string().max(255).nullish(),
  request_id: z.string().max(100).optional(),
});
const updateItem = createItem.partial().extend({ id: z.number().int().positive().optional() });

type Issue = { path: string; detail: string };

function refuse(issues: { index: number; requestId: string | undefined; issue: Issue }[]): never {
  throw problem(400, 'Bad Request', issues.map((i) => `${i.index}.${i.issue.path}: ${i.issue.detail}`).join('; '), {
    'validation-errors': issues.map((i) => ({ request_id: i.requestId ?? String(i.index), errors: [{ code: 'InvalidValue', path: i.issue.path, detail: i.issue.detail }] })),
  });
}

export class SourceBook {
  readonly #byAccount = new Map<number, EmulatedSource[]>();
  #nextId = 7_000_001;

  list(accountId: number): EmulatedSource[] {
    let list = this.#byAccount.get(accountId);
    if (!list) this.#byAccount.set(accountId, (list = []));
    return list;
  }

  /** Where amoCRM puts a chat's lead: its source's pipeline; unknown or none → the default source, else the main pipeline. */
  leadPipeline(account: EmulatedAccount, externalId: string | undefined): EmulatedPipeline | null {
    const sources = this.list(account.id);
    const source = sources.find((s) => s.externalId === externalId) ?? sources.find((s) => s.isDefault);
    const pipelines = pipelinesOf(account);
    return pipelines.find((p) => p.id === source?.pipelineId) ?? pipelines.find((p) => p.isMain) ?? null;
  }

  create(account: EmulatedAccount, body: unknown): EmulatedSource[] {
    if (!Array.isArray(body) || body.length === 0) throw problem(400, 'Bad Request', 'the body must be a non-empty array of sources');
    if (body.length > MAX_SOURCES) throw problem(400, 'Bad Request', `at most ${MAX_SOURCES} sources per request`);
    const existing = this.list(account.id);
    if (existing.length + body.length > MAX_SOURCES) throw problem(400, 'Bad Request', `an integration may have at most ${MAX_SOURCES} active sources`);
    const issues: Parameters<typeof refuse>[0] = [];
    const parsed = body.map((item, index) => {
      const r = createItem.safeParse(item);
      if (!r.success) {
        for (const i of r.error.issues) issues.push({ index, requestId: undefined, issue: { path: i.path.join('.') || 'item', detail: i.message } });
        return undefined;
      }
      for (const issue of this.#check(account, r.data, body.slice(0, index) as unknown[])) issues.push({ index, requestId: r.data.request_id, issue });
      return r.data;
    });
    if (issues.length > 0) refuse(issues);
    return parsed.map((item) => {
      const data = item!;
      const source: EmulatedSource = {
        id: this.#nextId++,
        name: data.name,
        externalId: data.external_id,
        pipelineId: data.pipeline_id ?? pipelinesOf(account).find((p) => p.isMain)?.id ?? null,
        isDefault: data.default === true,
        originCode: data.origin_code ?? null,
        ...(data.request_id !== undefined ? { requestId: data.request_id } : {}),
      };
      if (source.isDefault) for (const s of existing) s.isDefault = false;
      existing.push(source);
      return source;
    });
  }

  update(account: EmulatedAccount, id: number, body: unknown): EmulatedSource {
    const source = this.list(account.id).find((s) => s.id === id);
    if (!source) throw problem(404, 'Not Found', `no source ${id}`);
    const r = updateItem.safeParse(body);
    if (!r.success) refuse(r.error.issues.map((i) => ({ index: 0, requestId: undefined, issue: { path: i.path.join('.') || 'item', detail: i.message } })));
    const data = r.data;
    const issues: Issue[] = [];
    if (data.external_id !== undefined && data.external_id !== source.externalId) issues.push({ path: 'external_id', detail: 'external_id cannot be changed' });
    if (data.pipeline_id !== undefined && !pipelinesOf(account).some((p) => p.id === data.pipeline_id)) issues.push({ path: 'pipeline_id', detail: `no pipeline ${data.pipeline_id} in the account` });
    if (issues.length > 0) refuse(issues.map((issue) => ({ index: 0, requestId: data.request_id, issue })));
    if (data.name !== undefined) source.name = data.name;
    if (data.pipeline_id !== undefined) source.pipelineId = data.pipeline_id;
    if (data.origin_code !== undefined) source.originCode = data.origin_code;
    if (data.default === true) for (const s of this.list(account.id)) s.isDefault = s === source;
    if (data.default === false) source.isDefault = false;
    return source;
  }

  delete(accountId: number, id: number): void {
    const list = this.list(accountId);
    const at = list.findIndex((s) => s.id === id);
    if (at < 0) throw problem(404, 'Not Found', `no source ${id}`);
    list.splice(at, 1);
  }

  reset(): void {
    this.#byAccount.clear();
  }

  #check(account: EmulatedAccount, item: z.infer<typeof createItem>, earlier: unknown[]): Issue[] {
    const issues: Issue[] = [];
    if (!EXTERNAL_ID.test(item.external_id)) issues.push({ path: 'external_id', detail: 'external_id must be 1 to 36 printable ASCII characters' });
    const taken = this.list(account.id).some((s) => s.externalId === item.external_id) || earlier.some((e) => (e as { external_id?: unknown }).external_id === item.external_id);
    if (taken) issues.push({ path: 'external_id', detail: `a source with external_id ${item.external_id} already exists` });
    if (item.pipeline_id !== undefined && !pipelinesOf(account).some((p) => p.id === item.pipeline_id)) issues.push({ path: 'pipeline_id', detail: `no pipeline ${item.pipeline_id} in the account` });
    return issues;
  }
}

function sourceBody(s: EmulatedSource, base: string): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    pipeline_id: s.pipelineId,
    external_id: s.externalId,
    default: s.isDefault,
    origin_code: s.originCode,
    services: [],
    ...(s.requestId !== undefined ? { request_id: s.requestId } : {}),
    _links: { self: { href: `${base}/api/v4/sources/${s.id}` } },
  };
}

export interface SourcesRouterDeps {
  authorise(req: Request, res: Response): { account: EmulatedAccount; userId: number };
  baseOf(req: Request): string;
  book: SourceBook;
}

export function createSourcesRouter(deps: SourcesRouterDeps): Router {
  const router = Router();
  const list = (base: string, sources: EmulatedSource[]) => ({ _total_items: sources.length, _embedded: { sources: sources.map((s) => sourceBody(s, base)) } });
  const sourceId = (req: Request): number => {
    const id = String(req.params['id']);
    if (!/^\d{1,12}$/.test(id)) throw problem(400, 'Bad Request', 'source id must be a number');
    return Number(id);
  };
  /** Sources are an admin's business (§6.3: "admin only"). */
  const asAdmin = (req: Request, res: Response): EmulatedAccount => {
    const { account, userId } = deps.authorise(req, res);
    if (!account.users.find((u) => u.id === userId)?.isAdmin) throw problem(403, 'Forbidden', 'only an administrator of the account may change sources');
    return account;
  };

  router.get('/api/v4/leads/pipelines', (req, res) => {
    const { account } = deps.authorise(req, res);
    const pipelines = pipelinesOf(account).map((p, i) => ({ id: p.id, name: p.name, sort: (i + 1) * 10, is_main: p.isMain, is_unsorted_on: true, is_archive: p.isArchived ?? false, account_id: account.id }));
    sendHal(res, { _total_items: pipelines.length, _embedded: { pipelines } });
  });

  router.get('/api/v4/sources', (req, res) => {
    const { account } = deps.authorise(req, res);
    // Express's simple query parser keeps `filter[external_id]` as one flat key.
    const query = req.query as Record<string, unknown>;
    const wanted = query['filter[external_id]'] ?? query['filter[external_id][]'];
    const ids = wanted === undefined ? undefined : (Array.isArray(wanted) ? wanted : [wanted]).map(String);
    const found = deps.book.list(account.id).filter((s) => !ids || ids.includes(s.externalId));
    if (found.length === 0) res.status(204).end();
    else sendHal(res, list(deps.baseOf(req), found));
  });
  router.get('/api/v4/sources/:id', (req, res) => {
    const { account } = deps.authorise(req, res);
    const found = deps.book.list(account.id).find((s) => s.id === sourceId(req));
    if (!found) throw problem(404, 'Not Found', 'no such source');
    sendHal(res, sourceBody(found, deps.baseOf(req)));
  });
  router.post('/api/v4/sources', (req, res) => {
    const account = asAdmin(req, res);
    sendHal(res, list(deps.baseOf(req), deps.book.create(account, req.body)));
  });
  router.patch('/api/v4/sources/:id', (req, res) => {
    const account = asAdmin(req, res);
    sendHal(res, sourceBody(deps.book.update(account, sourceId(req), req.body), deps.baseOf(req)));
  });
  router.patch('/api/v4/sources', (req, res) => {
    const account = asAdmin(req, res);
    if (!Array.isArray(req.body) || req.body.length === 0) throw problem(400, 'Bad Request', 'the body must be a non-empty array of sources with id');
    const items = req.body as unknown[];
    const updated = items.map((item) => {
      const id = (item as { id?: unknown })?.id;
      if (typeof id !== 'number') throw problem(400, 'Bad Request', 'every source needs its id');
      return deps.book.update(account, id, item);
    });
    sendHal(res, list(deps.baseOf(req), updated));
  });
  router.delete('/api/v4/sources/:id', (req, res) => {
    const account = asAdmin(req, res);
    deps.book.delete(account.id, sourceId(req));
    res.status(204).end();
  });
  return router;
}
