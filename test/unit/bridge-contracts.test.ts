/**
 * Contracts between the bridge and its neighbours: the hook events the webhook intake stores are
 * what the bridge's hook job reads back, and group commit shares transactions without letting one
 * failing unit take the others down.
 */
import { describe, expect, it } from 'vitest';
import { parseHook } from '../../server/amojo/webhook-parse.js';
import { createGroupCommit } from '../../server/store/group-commit.js';
import { hookJobPayload } from '../../server/bridge/hook-events.js';
import type { BridgeRepos } from '../../server/bridge/ports.js';

const base = { account_id: 'af9945ff-1490-4cad-807d-945c15d88bec', time: 1767261601 };
const conversation = { id: '8e4d4baa-9e6c-4a88-838a-5f62be227bdc', client_id: 'c_conv' };

describe('stored hook events', () => {
  it('reads back every hook kind the intake stores (JSON round trip included)', () => {
    const bodies = [
      {
        ...base,
        message: {
          receiver: { id: 'r', client_id: 'v_1', phone: '', email: '' },
          sender: { id: 'manager', name: 'Anna' },
          conversation,
          timestamp: 1767261600,
          msec_timestamp: 1767261600500,
          message: {
            id: 'amojo-msg',
            type: 'picture',
            text: 'Your order',
            media: 'https://amojo.example/attachments/x.jpg',
            file_name: 'x.jpg',
            file_size: 10,
            markup: { mode: 'inline', buttons: [[{ text: 'Yes' }, { text: 'Site', url: 'https://example.com' }]] },
            template: { id: 7, content: 'Your order #{{lead.id}}', params: [] },
            reply_to: { message: { id: 'quoted', msgid: 'm_ours' } },
          },
        },
      },
      // Write first: no client_id anywhere.
      { ...base, message: { receiver: { id: 'r', phone: '79161234567' }, sender: { id: 'manager' }, conversation: { id: 'chat' }, message: { id: 'wf', type: 'text', text: 'Hi' } } },
      { ...base, action: { typing: { user: { id: 'manager' }, conversation, expired_at: 1767262105 } } },
      { ...base, action: { reaction: { message: { id: 'amojo-msg', client_id: 'm_ours' }, user: { id: 'manager' }, conversation, type: 'react', emoji: '👍' } } },
      { ...base, action: { reaction: { msgid: 'amojo-msg', user: { id: 'manager' }, conversation, type: 'unreact' } } },
    ];
    for (const body of bodies) {
      const event = JSON.parse(JSON.stringify(parseHook(body, Date.now()))) as unknown;
      const read = hookJobPayload.safeParse({ scopeId: 'scope', accountId: 1, event });
      expect(read.success, JSON.stringify(read.error?.issues)).toBe(true);
    }
    const first = hookJobPayload.parse({ scopeId: 's', accountId: 1, event: JSON.parse(JSON.stringify(parseHook(bodies[0], 0))) });
    expect(first.event).toMatchObject({
      kind: 'message',
      conversationId: 'c_conv',
      isWriteFirst: false,
      message: { buttons: [[{ text: 'Yes' }, { text: 'Site', url: 'https://example.com' }]], template: { id: 7 }, replyTo: { amojoMsgId: 'quoted', msgid: 'm_ours' } },
    });
  });
});

describe('group commit', () => {
  it('shares one transaction between concurrent units and isolates a failing one', async () => {
    const transactions: string[][] = [];
    let current: string[] | undefined;
    const fakeTx = {} as BridgeRepos;
    const commit = createGroupCommit<BridgeRepos>(async (fn) => {
      const mine: string[] = [];
      transactions.push(mine);
      current = mine;
      try {
        return await fn(fakeTx);
      } catch (err) {
        mine.push('rolled back');
        throw err;
      }
    });
    const unit = (name: string, fail = false) => async () => {
      current!.push(name);
      if (fail) throw new Error(`${name} failed`);
      return name;
    };
    const results = await Promise.allSettled([commit(unit('a')), commit(unit('b', true)), commit(unit('c'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // One shared try, rolled back by b; then each unit alone.
    expect(transactions).toEqual([['a', 'b', 'rolled back'], ['a'], ['b', 'rolled back'], ['c']]);
    expect(await Promise.all([commit(unit('d')), commit(unit('e'))])).toEqual(['d', 'e']);
    expect(transactions.at(-1)).toEqual(['d', 'e']);
  });
});
