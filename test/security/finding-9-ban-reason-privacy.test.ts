/**
 * Issue 19, finding 9: a ban's reason does not reach the room. IVS sends `aws:DISCONNECT_USER`, with
 * the reason DisconnectUser was given, to every client in the room; the other viewers must not read
 * why someone was banned. The banned user learns it from their refusal (403 `banned`, with `reason`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  WAIT,
  at,
  closedWithin,
  describeAnswer,
  openChatOrFail,
  startSecurityStack,
  type ChatConnection,
  type SecurityStack,
  type User,
} from './support/stack.js';

const REASON = 'spamming links';

let stack: SecurityStack;
let owner: User;

before(async () => {
  stack = await startSecurityStack();
  owner = stack.user('owner-ann', ['admin']);
});
after(async () => {
  await stack.close();
});

async function join(user: User, roomArn: string): Promise<ChatConnection> {
  const token = await user.chatToken(roomArn);
  assert.equal(token.status, 200, describeAnswer(token));
  return openChatOrFail(stack.messagingUrl, String(at(token.body, 'token')));
}

/** What a viewer saw of a user's disconnection: the event, and every frame carrying the reason. */
async function viewerSaw(viewer: ChatConnection, userId: string) {
  const event = await viewer.waitForFrame(
    (frame) =>
      frame.Type === 'EVENT' &&
      frame.EventName === 'aws:DISCONNECT_USER' &&
      at(frame, 'Attributes', 'UserId') === userId,
    WAIT.answerMs,
  );
  return { event, leaked: viewer.frames.filter((frame) => JSON.stringify(frame).includes(REASON)) };
}

describe('a ban with a reason', () => {
  it('in a room disconnects the user without telling the room why; the user reads it in their refusal', async () => {
    const room = await stack.createRoom(owner, 'public', 'ban-reason');
    const moderator = stack.user('mod-carol');
    await owner.call('PUT', `/v1/rooms/${room.id}/members/${moderator.userId}`, { role: 'moderator' });
    const banned = stack.user('spammer-sam');
    const samChat = await join(banned, room.arn);
    const vicChat = await join(stack.user('viewer-vic'), room.arn);

    const ban = await moderator.call('PUT', `/v1/rooms/${room.id}/bans/${banned.userId}`, { reason: REASON });
    const seen = await viewerSaw(vicChat, banned.userId);
    const samClosed = await closedWithin(samChat, WAIT.answerMs);
    const refusal = await banned.chatToken(room.arn);

    assert.equal(ban.status, 201, describeAnswer(ban));
    assert.ok(seen.event, 'the viewer was told that the user was disconnected');
    assert.deepEqual(seen.leaked, [], 'frames the viewer received that carry the ban reason');
    assert.ok(samClosed, "the banned user's connection closed");
    assert.equal(refusal.status, 403, describeAnswer(refusal));
    assert.equal(at(refusal.body, 'code'), 'banned');
    assert.equal(at(refusal.body, 'reason'), REASON, 'the banned user reads why');
    vicChat.close();
  });

  it('app-wide disconnects the user without telling the room why; the user reads it in their refusal', async () => {
    const room = await stack.createRoom(owner, 'public', 'app-ban-reason');
    const banned = stack.user('spammer-sue');
    const sueChat = await join(banned, room.arn);
    const vicChat = await join(stack.user('viewer-val'), room.arn);

    const ban = await owner.call('PUT', `/v1/bans/${banned.userId}`, { reason: REASON });
    const seen = await viewerSaw(vicChat, banned.userId);
    const sueClosed = await closedWithin(sueChat, WAIT.appBanDisconnectMs);
    const refusal = await banned.chatToken(room.arn);

    assert.equal(ban.status, 201, describeAnswer(ban));
    assert.ok(seen.event, 'the viewer was told that the user was disconnected');
    assert.deepEqual(seen.leaked, [], 'frames the viewer received that carry the ban reason');
    assert.ok(sueClosed, "the banned user's connection closed");
    assert.equal(refusal.status, 403, describeAnswer(refusal));
    assert.equal(at(refusal.body, 'code'), 'banned');
    assert.equal(at(refusal.body, 'reason'), REASON, 'the banned user reads why');
    vicChat.close();
  });
});
