/**
 * Issue 19, finding 3: an app-wide ban reaches every room the user may still be connected to. Where
 * a user holds a chat session is recorded per room with its end; a later, shorter token must not
 * shorten that record ("The recorded end may only grow"), or `PUT /v1/bans/{user}` misses a room
 * where a long session is still open once the short one has ended.
 *
 * The short token's session lasts the smallest IVS allows (1 minute), so this test waits for it to
 * end: about 62 s, bounded, on the real clock (no time zone or date involved).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  WAIT,
  at,
  closedWithin,
  describeAnswer,
  openChatOrFail,
  sleep,
  startSecurityStack,
  type SecurityStack,
  type User,
} from './support/stack.js';

let stack: SecurityStack;
let admin: User;

before(async () => {
  stack = await startSecurityStack();
  admin = stack.user('admin-ann', ['admin']);
});
after(async () => {
  await stack.close();
});

describe('PUT /v1/bans/{userId}', () => {
  it('counts and disconnects a room whose 180-minute session outlives a later 1-minute token', async () => {
    const room = await stack.createRoom(admin, 'public', 'long-session');
    const user = stack.user('long-lived-mal');
    const long = await user.chatToken(room.arn, 180);
    assert.equal(long.status, 200, describeAnswer(long));
    const chat = await openChatOrFail(stack.messagingUrl, String(at(long.body, 'token')));
    const short = await user.chatToken(room.arn, 1);
    assert.equal(short.status, 200, describeAnswer(short));
    // Until the short session has ended (the service recorded its end no later than IVS's).
    const shortEnds = Date.parse(String(at(short.body, 'sessionExpirationTime')));
    assert.ok(Number.isFinite(shortEnds), describeAnswer(short));
    await sleep(Math.min(Math.max(shortEnds - Date.now(), 0) + 2000, 70_000));
    assert.ok(!chat.isClosed(), 'the 180-minute connection is still open before the ban');

    const banned = await admin.call('PUT', `/v1/bans/${user.userId}`, { reason: 'abuse' });

    assert.equal(banned.status, 201, describeAnswer(banned));
    assert.equal(at(banned.body, 'rooms'), 1, `rooms counted: ${describeAnswer(banned)}`);
    assert.ok(
      await closedWithin(chat, WAIT.appBanDisconnectMs),
      `the open 180-minute connection closed within ${WAIT.appBanDisconnectMs} ms`,
    );
  });
});
