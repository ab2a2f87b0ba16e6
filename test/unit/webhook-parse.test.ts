import { describe, expect, it } from 'vitest';
import { HookParseError, hookDedupeKey, parseHook } from '../../server/amojo/webhook-parse.js';
import { W1 } from './signing-vectors.js';

const NOW = 1767262300000;
const account = 'af9945ff-1490-4cad-807d-945c15d88bec';
const conversation = { id: '8e4d4baa-9e6c-4a88-838a-5f62be227bdc', client_id: 'int-conv-0001' };

describe('hook parsing (chats-api.md §5)', () => {
  it('parses a manager text message (W1)', () => {
    const e = parseHook(JSON.parse(W1.body), NOW);
    expect(e.kind).toBe('message');
    if (e.kind !== 'message') return;
    expect(e).toMatchObject({
      accountAmojoId: account,
      amojoChatId: conversation.id,
      conversationId: 'int-conv-0001',
      senderAmojoId: '76fc2bea-902f-425c-9a3d-dcdac4766090',
      receiverClientId: 'int-user-0001',
      sourceExternalId: 'src-1',
      msecTimestamp: 1767261600500,
      isWriteFirst: false,
    });
    // Empty strings in the hook are absent values, not content.
    expect(e.message).toMatchObject({ amojoMsgId: '0371a0ff-b78a-4c7b-8538-a7d547e10692', type: 'text', text: 'Hi there', media: undefined, fileName: undefined });
    expect(hookDedupeKey(e)).toBe('msg:0371a0ff-b78a-4c7b-8538-a7d547e10692');
  });

  it('parses media, buttons, a template and a quoted reply', () => {
    const e = parseHook(
      {
        account_id: account,
        time: 1767261601,
        message: {
          receiver: { id: 'r1', phone: '79151112233', email: '', client_id: 'int-user-0001' },
          sender: { id: 's1', name: 'Anna' },
          conversation,
          timestamp: 1767261600,
          msec_timestamp: 1767261600500,
          message: {
            id: 'm1',
            type: 'picture',
            text: 'Your order',
            markup: { mode: 'inline', buttons: [[{ text: 'Confirm' }, { text: 'Site', url: 'https://example.com' }]] },
            media: 'https://amojo.kommo.com/attachments/x.jpg',
            thumbnail: 'https://amojo.kommo.com/attachments/x_320.jpg',
            file_name: 'x.jpg',
            file_size: 1234,
            media_group_id: 'g1',
            template: { id: 7103, content: 'Your order #{{lead.id}}', params: [{ key: '{{lead.id}}', value: '1' }] },
            reply_to: { message: { id: 'q1', msgid: 'our-q1', type: 'text', text: 'quoted' } },
          },
        },
      },
      NOW,
    );
    if (e.kind !== 'message') throw new Error('expected message');
    expect(e.senderName).toBe('Anna');
    expect(e.message).toMatchObject({
      type: 'picture',
      media: 'https://amojo.kommo.com/attachments/x.jpg',
      fileSize: 1234,
      mediaGroupId: 'g1',
      buttons: [[{ text: 'Confirm', url: undefined }, { text: 'Site', url: 'https://example.com' }]],
      template: { id: 7103, content: 'Your order #{{lead.id}}' },
      replyTo: { amojoMsgId: 'q1', msgid: 'our-q1', text: 'quoted', type: 'text' },
    });
  });

  it('recognises write-first: no conversation.client_id, no receiver.client_id', () => {
    const e = parseHook(
      {
        account_id: account,
        time: 1767262000,
        message: {
          receiver: { id: 'c1a6', phone: '79161234567', email: '' },
          sender: { id: 's1' },
          conversation: { id: '9b2f' },
          source: { external_id: '79039876543' },
          timestamp: 1767261999,
          msec_timestamp: 1767261999250,
          message: { id: '5e8f', type: 'text', text: 'Hello!', tag: '', media: '', thumbnail: '', file_name: '', file_size: 0 },
        },
      },
      NOW,
    );
    if (e.kind !== 'message') throw new Error('expected message');
    expect(e.isWriteFirst).toBe(true);
    expect(e.conversationId).toBeUndefined();
    expect(e.receiverClientId).toBeUndefined();
    expect(e.receiverPhone).toBe('79161234567');
  });

  it('parses a comment reply (message.message.post)', () => {
    const e = parseHook(
      { account_id: account, message: { sender: { id: 's' }, conversation, message: { id: 'm2', type: 'text', text: 'thanks', post: { id: 'post-9' } } } },
      NOW,
    );
    if (e.kind !== 'message') throw new Error('expected message');
    expect(e.postId).toBe('post-9');
    // Without timestamps, the receive time stands in.
    expect(e.msecTimestamp).toBe(NOW);
  });

  it('reads typing from action.typing.user (example) or action.user (table)', () => {
    const inTyping = parseHook(
      { account_id: account, time: 1767262100, action: { typing: { user: { id: 'u1' }, conversation, expired_at: 1767262105 } } },
      NOW,
    );
    const inAction = parseHook({ account_id: account, action: { typing: { conversation: { id: conversation.id } }, user: { id: 'u2' } } }, NOW);
    expect(inTyping).toMatchObject({ kind: 'typing', userAmojoId: 'u1', expiresAt: 1767262105000, conversationId: 'int-conv-0001' });
    expect(inAction).toMatchObject({ kind: 'typing', userAmojoId: 'u2', expiresAt: NOW + 5000, conversationId: undefined });
    expect(hookDedupeKey(inTyping)).toBe(`typing:${conversation.id}:u1:1767262105000`);
  });

  it('reads the reacted message from action.reaction.message (table) or msgid (example)', () => {
    const base = { user: { id: 'u1' }, conversation, type: 'react', emoji: '👍' };
    const viaMessage = parseHook({ account_id: account, time: 1767262200, action: { reaction: { ...base, message: { id: 'm1', client_id: 'our-1' } } } }, NOW);
    const viaMsgid = parseHook({ account_id: account, time: 1767262200, action: { reaction: { ...base, msgid: 'm1' } } }, NOW);
    const unreact = parseHook({ account_id: account, time: 1767262201, action: { reaction: { user: { id: 'u1' }, conversation, type: 'unreact', msgid: 'm1' } } }, NOW);
    expect(viaMessage).toMatchObject({ kind: 'reaction', amojoMsgId: 'm1', clientMsgId: 'our-1', emoji: '👍', type: 'react' });
    expect(viaMsgid).toMatchObject({ kind: 'reaction', amojoMsgId: 'm1', clientMsgId: undefined });
    expect(unreact).toMatchObject({ type: 'unreact', emoji: undefined });
    expect(hookDedupeKey(viaMessage)).toBe(hookDedupeKey(viaMsgid));
    expect(hookDedupeKey(unreact)).not.toBe(hookDedupeKey(viaMsgid));
  });

  it('accepts numeric strings where numbers are expected', () => {
    const e = parseHook({ account_id: account, message: { sender: { id: 's' }, conversation, timestamp: '1767261600', message: { id: 'm', type: 'file', file_size: '42' } } }, NOW);
    if (e.kind !== 'message') throw new Error('expected message');
    expect(e.msecTimestamp).toBe(1767261600000);
    expect(e.message.fileSize).toBe(42);
  });

  it('refuses unknown and unusable shapes with a precise reason', () => {
    const bad: Array<[unknown, RegExp]> = [
      [null, /not an object/],
      [[], /unknown hook shape/],
      [{ account_id: account }, /unknown hook shape/],
      [{ account_id: account, message: { sender: { id: 's' }, conversation, message: { type: 'text' } } }, /message\.message\.id/],
      [{ account_id: account, message: { sender: { id: 's' }, message: { id: 'm', type: 'text' } } }, /message\.conversation/],
      [{ account_id: account, action: { typing: { conversation } } }, /no user/],
      [{ account_id: account, action: { reaction: { user: { id: 'u' }, conversation, type: 'react' } } }, /no message id/],
      [{ account_id: account, action: { reaction: { user: { id: 'u' }, conversation, type: 'love', msgid: 'm' } } }, /type/],
      [{ message: { sender: { id: 's' }, conversation, message: { id: 'm', type: 'text' } } }, /account_id/],
    ];
    for (const [body, reason] of bad) {
      expect(() => parseHook(body, NOW)).toThrow(HookParseError);
      expect(() => parseHook(body, NOW)).toThrow(reason);
    }
  });
});
