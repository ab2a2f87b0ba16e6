/** The metrics registry on its own: separate instances, scrape-time sources, a failing source. */
import { describe, expect, it } from 'vitest';
import { createMetrics, type MetricsSources } from '../../server/metrics/index.js';
import { parseExposition } from '../support/prometheus-text.js';

function sources(over: Partial<MetricsSources> = {}): MetricsSources {
  return {
    jobCounts: async () => [{ kind: 'k', state: 'dead', count: 3 }],
    jobKinds: () => ['k', 'idle'],
    openStreams: () => 7,
    webhookRefusalReasons: ['bad_signature', 'unknown_scope'],
    onCollectError: () => undefined,
    ...over,
  };
}

describe('metrics', () => {
  it('keeps one registry per instance: two instances count apart', async () => {
    const a = createMetrics(sources());
    const b = createMetrics(sources());
    a.webhookAccepted();
    a.webhookAccepted();
    a.webhookRefused('bad_signature');
    b.webhookRefused('unknown_scope');
    const ma = parseExposition(await a.render());
    const mb = parseExposition(await b.render());
    expect(ma.value('amochat_webhooks_accepted_total')).toBe(2);
    expect(mb.value('amochat_webhooks_accepted_total')).toBe(0);
    expect(ma.value('amochat_webhooks_refused_total', { reason: 'bad_signature' })).toBe(1);
    expect(mb.value('amochat_webhooks_refused_total', { reason: 'bad_signature' })).toBe(0);
    expect(mb.value('amochat_webhooks_refused_total', { reason: 'unknown_scope' })).toBe(1);
    a.stop();
    b.stop();
  });

  it('reads jobs and streams at scrape time, with every known kind and state present', async () => {
    const m = createMetrics(sources());
    const text = parseExposition(await m.render());
    expect(text.value('amochat_jobs', { kind: 'k', state: 'dead' })).toBe(3);
    expect(text.value('amochat_jobs', { kind: 'k', state: 'pending' })).toBe(0);
    expect(text.value('amochat_jobs', { kind: 'idle', state: 'running' })).toBe(0);
    expect(text.value('amochat_event_streams_open')).toBe(7);
    m.stop();
  });

  it('answers the other metrics when the job counts cannot be read', async () => {
    const errors: unknown[] = [];
    const m = createMetrics(sources({ jobCounts: () => Promise.reject(new Error('database down')), onCollectError: (err) => errors.push(err) }));
    const text = parseExposition(await m.render());
    expect(text.find('amochat_jobs')).toEqual([]);
    expect(text.value('amochat_event_streams_open')).toBe(7);
    expect(errors).toHaveLength(1);
    m.stop();
  });

  it('labels upstream calls by service and status, no answer as network_error', async () => {
    const m = createMetrics(sources());
    m.upstreamCall('amojo', 200, 0.02);
    m.upstreamCall('amojo', undefined, 10);
    m.upstreamCall('amocrm', 429, 0.1);
    m.jobFinished('k', 'error', 0.5);
    const text = parseExposition(await m.render());
    expect(text.value('amochat_upstream_request_duration_seconds_count', { service: 'amojo', status: '200' })).toBe(1);
    expect(text.value('amochat_upstream_request_duration_seconds_count', { service: 'amojo', status: 'network_error' })).toBe(1);
    expect(text.value('amochat_upstream_request_duration_seconds_bucket', { service: 'amojo', status: 'network_error', le: '5' })).toBe(0);
    expect(text.value('amochat_upstream_request_duration_seconds_count', { service: 'amocrm', status: '429' })).toBe(1);
    expect(text.value('amochat_job_duration_seconds_sum', { kind: 'k', outcome: 'error' })).toBe(0.5);
    m.stop();
  });
});
