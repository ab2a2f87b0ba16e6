/**
 * The delivery contract: what a platform answers for a manager message becomes a stored status, a
 * job retry after the delay the far side asked for, or delivery status -1 to amoCRM with the
 * platform's reason. And how Telegram's answers are sorted into those outcomes.
 */
import { GrammyError, HttpError } from 'grammy';
import { describe, expect, it } from 'vitest';
import { createDeliverJob } from '../../server/bridge/deliver-job.js';
import type { BridgeContext } from '../../server/bridge/context.js';
import { asAmojoMsgId, asConversationId, asMsgId, asParticipantId, asScopeId } from '../../server/bridge/ids.js';
import type { DeliveryResult, PlatformAdapter } from '../../server/bridge/platform.js';
import type { BridgeRepos, DeliveryUpdate } from '../../server/bridge/ports.js';
import type { ConversationRecord, MessageRecord } from '../../server/bridge/records.js';
import { isRetryable } from '../../server/errors.js';
import { retryAfterOf } from '../../server/net/retry.js';
import { failureOf } from '../../server/platforms/telegram/bot-api.js';

const conversation: ConversationRecord = {
  id: asConversationId('c_1'),
  accountId: 1,
  platform: 'messenger',
  platformChatId: '42',
  participantId: asParticipantId('v_1'),
  participantName: 'Ann',
  profile: {},
  amojoChatId: null,
  amojoParticipantId: null,
  createdAt: 0,
};

function setup(result: DeliveryResult | (() => Promise<DeliveryResult>)) {
  const message: MessageRecord = {
    id: asMsgId('m_1'),
    conversationId: conversation.id,
    direction: 'outbound',
    amojoMsgId: asAmojoMsgId('a_1'),
    clientMsgId: null,
    kind: 'text',
    status: 'received',
    content: { text: 'hi' },
    error: null,
    seq: 1,
    createdAt: 0,
    updatedAt: 0,
  };
  const reports: DeliveryUpdate[] = [];
  const jobs: string[] = [];
  const laterParts: string[] = [];
  const repos = {
    accounts: { get: async () => ({ id: 1, isConnected: true, scopeId: asScopeId('first_x'), host: null, channelScopes: { messenger: asScopeId('own_x') }, sourceExternalIds: {} }) },
    messages: {
      get: async () => message,
      update: async (_id: unknown, patch: Partial<MessageRecord>) => void Object.assign(message, patch),
      addPlatformParts: async (_c: unknown, _id: unknown, ids: readonly string[]) => void laterParts.push(...ids),
      advanceStatus: async (_id: unknown, from: readonly string[], to: MessageRecord['status']) => (from.includes(message.status) ? ((message.status = to), true) : false),
    },
    files: { get: async () => undefined },
    timeline: { append: async () => 1 },
    jobs: { enqueue: async (list: Array<{ kind: string }>) => void jobs.push(...list.map((j) => j.kind)) },
  } as unknown as BridgeRepos;
  const adapter: PlatformAdapter & { deliver(): Promise<DeliveryResult> } = {
    platform: 'messenger',
    hasOwnChannel: true,
    texts: { writeFirstRefused: '', unknownConversation: '', unsupportedKind: () => '', deliveryFailed: 'Messenger did not take it.' },
    publish: async () => ({ reachedClients: 0 }),
    deliver: typeof result === 'function' ? result : async () => result,
  };
  const targets: string[] = [];
  const ctx = {
    store: { ...repos, transaction: (fn: (tx: BridgeRepos) => Promise<unknown>) => fn(repos) },
    gateway: {
      setDeliveryStatus: async (target: { scopeId: string }, _id: unknown, update: DeliveryUpdate) => {
        targets.push(target.scopeId);
        reports.push(update);
      },
    },
    blobs: { read: async () => undefined },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    now: () => 0,
    publicUrl: 'https://chat.example.com',
    platforms: new Map([['messenger', adapter]]),
    announce: { timeline() {}, typing() {} },
    wakeJobs: () => undefined,
    getConversation: async () => conversation,
    getAccount: (id: number) => repos.accounts.get(id),
  } as unknown as BridgeContext;
  return { job: createDeliverJob(ctx), message, reports, jobs, targets, laterParts };
}

const ctxOfJob = {} as never;

describe('the delivery job', () => {
  it('stores the platform id and reports delivered (1) on the platform’s own channel', async () => {
    const s = setup({ outcome: 'delivered', platformMsgIds: ['777', '778'], status: 'delivered' });
    await s.job.perform({ msgid: 'm_1' }, ctxOfJob);
    expect(s.message).toMatchObject({ clientMsgId: '777', status: 'delivered' });
    expect(s.laterParts).toEqual(['778']);
    expect(s.jobs).toEqual(['bridge.status']);
  });

  it('keeps the status `received` when the platform can only say it was accepted', async () => {
    const s = setup({ outcome: 'delivered', platformMsgIds: ['5'], status: 'sent' });
    await s.job.perform({ msgid: 'm_1' }, ctxOfJob);
    expect(s.message).toMatchObject({ clientMsgId: '5', status: 'received' });
    expect(s.jobs).toEqual([]);
  });

  it('turns a retry into a retryable failure carrying the delay asked for', async () => {
    const s = setup({ outcome: 'retry', reason: 'slow down', afterMs: 3000 });
    const err = await s.job.perform({ msgid: 'm_1' }, ctxOfJob).then(() => undefined, (e: unknown) => e);
    expect(isRetryable(err)).toBe(true);
    expect(retryAfterOf(err)).toBe(3000);
    expect(s.message.status).toBe('received');
    expect(s.reports).toEqual([]);
  });

  it('counts a throw of the adapter as a retry', async () => {
    const s = setup(async () => {
      throw new Error('socket closed');
    });
    const err = await s.job.perform({ msgid: 'm_1' }, ctxOfJob).then(() => undefined, (e: unknown) => e);
    expect(isRetryable(err)).toBe(true);
  });

  it('reports a permanent failure to amoCRM as -1 with the platform’s reason, once', async () => {
    const s = setup({ outcome: 'failed', reason: 'The user blocked the bot.' });
    await s.job.perform({ msgid: 'm_1' }, ctxOfJob);
    expect(s.message).toMatchObject({ status: 'failed', error: 'The user blocked the bot.' });
    expect(s.reports).toEqual([{ status: -1, errorCode: 905, errorText: 'The user blocked the bot.' }]);
    expect(s.targets).toEqual(['own_x']);
    await s.job.perform({ msgid: 'm_1' }, ctxOfJob);
    expect(s.reports).toHaveLength(1);
  });

  it('reports -1 with the platform’s text when every retry is used up', async () => {
    const s = setup({ outcome: 'retry', reason: 'still down' });
    await s.job.onFailed!({ msgid: 'm_1' }, new Error('still down'), ctxOfJob);
    expect(s.reports).toEqual([{ status: -1, errorCode: 905, errorText: 'Messenger did not take it.' }]);
  });
});

describe('Telegram answers as delivery outcomes', () => {
  const grammyError = (error_code: number, description: string, retry_after?: number) =>
    new GrammyError('call failed', { ok: false, error_code, description, ...(retry_after ? { parameters: { retry_after } } : {}) }, 'sendMessage', {});

  it('429 → retry after retry_after seconds', () => {
    expect(failureOf(grammyError(429, 'Too Many Requests: retry after 7', 7))).toEqual({ outcome: 'retry', reason: expect.any(String), afterMs: 7000 });
  });
  it('403 blocked → permanent, with a reason a manager understands', () => {
    expect(failureOf(grammyError(403, 'Forbidden: bot was blocked by the user'))).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/blocked the bot/) });
  });
  it('5xx and no answer → retry; 400 → permanent', () => {
    expect(failureOf(grammyError(502, 'Bad Gateway')).outcome).toBe('retry');
    expect(failureOf(new HttpError('Network request for sendMessage failed', new Error('ECONNRESET'))).outcome).toBe('retry');
    expect(failureOf(grammyError(400, 'Bad Request: message text is empty')).outcome).toBe('failed');
  });
});
