/**
 * Visitors who send faster than a saturated process delivers: each message is stored at once, but
 * its 202 waits while more visitor messages wait for amoCRM than the limit, and goes as the jobs
 * take them. Here the limit is one message, the process counts as busy, and the job runner starts
 * only when the test says.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Visitor, emulatorMessages, startBridgeBackend, waitFor, waitForEmulatorMessages, type BridgeBackend } from './bridge-helpers.js';

let b: BridgeBackend;

beforeEach(async () => {
  b = await startBridgeBackend({ startJobs: false, serviceOptions: { webchat: { backlogLimit: 1, busy: () => true } } });
});
afterEach(async () => {
  await b.stop();
});

describe('website chat messages while delivery falls behind', () => {
  it('stores every message at once but holds the answer while the backlog is over its limit', async () => {
    const v = await Visitor.open(b.url, b.siteKey);
    // One message waiting is within the limit: answered at once.
    await v.send('first');

    let answer: number | undefined;
    const second = v.post('/messages', { client_msgid: 'second', text: 'second' }).then((r) => (answer = r.status));
    // Stored (the visitor's own history has it) while its answer waits: nothing delivers yet.
    await waitFor(async () => (await v.messages()).messages.length === 2 || undefined, 5000, 'second stored');
    // An answer not held is written as the message commits, before the read that saw it: two
    // more round trips to the same process leave it every chance to have arrived.
    await v.messages();
    await v.messages();
    expect(answer).toBeUndefined();

    b.services.jobRunner.start();
    await second;
    expect(answer).toBe(202);
    await waitForEmulatorMessages(b, v.conversationId, 2);
    expect(emulatorMessages(b, v.conversationId).map((m) => m.content.text)).toEqual(['first', 'second']);
  });
});
