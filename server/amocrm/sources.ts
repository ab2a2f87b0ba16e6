/**
 * The account's pipelines (`GET /api/v4/leads/pipelines`) and the integration's sources
 * (`/api/v4/sources`, widget-and-oauth.md §6.3, chats-api.md §7). A source carries our
 * `external_id` and a `pipeline_id`; a chat sent with that external id puts its lead there.
 *
 * amoCRM lets an integration use the Sources API only when its uploaded archive declares the
 * `lead_sources` location (chats-api.md §7 "Requirements"), so the widget's manifest declares it.
 */
import { z } from 'zod';
import type { HttpMethod } from '../net/byte-transport.js';
import { AmocrmError } from './errors.js';

type Call = (accountId: number, method: HttpMethod, path: string, json?: unknown) => Promise<{ status: number; json: unknown }>;

const pipelinesSchema = z.object({
  _embedded: z.object({
    pipelines: z.array(
      z.object({ id: z.number().int().positive(), name: z.string(), is_main: z.boolean().optional(), is_archive: z.boolean().optional(), sort: z.number().optional() }),
    ),
  }),
});

const sourceSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().optional(),
  external_id: z.string(),
  pipeline_id: z.number().int().nullish(),
  origin_code: z.string().nullish(),
});
const sourcesSchema = z.object({ _embedded: z.object({ sources: z.array(sourceSchema) }) });

export interface AmocrmPipeline {
  id: number;
  name: string;
  isMain: boolean;
  isArchived: boolean;
}

export interface AmocrmSource {
  id: number;
  externalId: string;
  pipelineId: number | null;
}

export interface SourceFields {
  /** Ours, ≤ 36 printable ASCII characters, fixed once created. */
  externalId: string;
  name: string;
  pipelineId: number;
  /** The channel code: the channel used when a manager writes first from this source. */
  originCode: string;
}

function parse<T>(schema: z.ZodType<T>, method: string, path: string, status: number, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AmocrmError(method, path, status, 'unexpected answer', parsed.error.issues[0]?.message);
  return parsed.data;
}

const toSource = (s: z.infer<typeof sourceSchema>): AmocrmSource => ({ id: s.id, externalId: s.external_id, pipelineId: s.pipeline_id ?? null });

export function createSourcesApi(call: Call) {
  async function findSource(accountId: number, externalId: string): Promise<AmocrmSource | undefined> {
    const path = `/api/v4/sources?filter[external_id]=${encodeURIComponent(externalId)}`;
    const res = await call(accountId, 'GET', path);
    if (res.status === 204 || res.json === undefined) return undefined;
    return parse(sourcesSchema, 'GET', path, res.status, res.json)._embedded.sources.map(toSource).find((s) => s.externalId === externalId);
  }

  return {
    /** The account's pipelines, archived ones left out (nobody routes new chats into them). */
    async listPipelines(accountId: number): Promise<AmocrmPipeline[]> {
      const path = '/api/v4/leads/pipelines';
      const res = await call(accountId, 'GET', path);
      if (res.status === 204 || res.json === undefined) return [];
      return parse(pipelinesSchema, 'GET', path, res.status, res.json)
        ._embedded.pipelines.filter((p) => p.is_archive !== true)
        .map((p) => ({ id: p.id, name: p.name, isMain: p.is_main === true, isArchived: false }));
    },

    findSource,

    /**
     * Creates the source, or moves the existing one (same external id) to the pipeline. Looking it
     * up first makes a repeat after a lost answer an update, never a second source.
     */
    async putSource(accountId: number, fields: SourceFields): Promise<AmocrmSource> {
      const existing = await findSource(accountId, fields.externalId);
      if (existing) {
        const path = `/api/v4/sources/${existing.id}`;
        const res = await call(accountId, 'PATCH', path, { name: fields.name, pipeline_id: fields.pipelineId });
        return toSource(parse(sourceSchema, 'PATCH', path, res.status, res.json));
      }
      const path = '/api/v4/sources';
      const body = [{ name: fields.name, external_id: fields.externalId, pipeline_id: fields.pipelineId, origin_code: fields.originCode, request_id: fields.externalId }];
      const res = await call(accountId, 'POST', path, body);
      const created = parse(sourcesSchema, 'POST', path, res.status, res.json)._embedded.sources[0];
      if (!created) throw new AmocrmError('POST', path, res.status, 'unexpected answer', 'no source in the answer');
      return toSource(created);
    },
  };
}
