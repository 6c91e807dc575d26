/**
 * Issue 19, finding 1: access ends when it is taken away. A member removed from a private room, or a
 * user banned from a room, may hold chat tokens fetched before (IVS cannot revoke a token: each one
 * may connect for an hour, and its session lasts up to 180 minutes). Contract v3, "Access": "sends
 * from a removed or banned user are refused by the review function; their connections are closed
 * again whenever they reconnect with an older token, within 30 s, until every token issued to them
 * before the change has expired".
 *
 * The user here stockpiles three tokens, loses access, and reconnects with each.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  WAIT,
  at,
  closedWithin,
  describeAnswer,
  openChat,
  openChatOrFail,
  sleep,
  startSecurityStack,
  type ChatConnection,
  type Frame,
  type SecurityStack,
  type User,
} from './support/stack.js';

/**
 * How often the stack re-disconnects users who lost access. INTEGRATOR: the security stack passes it
 * on as REVOCATION_SWEEP_SECONDS (test/security/support/stack.ts); wire that variable (or the option
 * you choose there) to the revocation sweep of the local stack. The reconnection test below allows
 * the contract's 30 s for each reconnection and 45 s for all three, which assumes this interval.
 */
const SWEEP_SECONDS = 5;
const TOKENS = 3;
/** Bound of the three reconnections together (the issue's measure: at most 30 s each). */
const ALL_RECONNECTIONS_MS = 45_000;

let stack: SecurityStack;
let owner: User;

before(async () => {
  stack = await startSecurityStack({ revocationSweepSeconds: SWEEP_SECONDS });
  owner = stack.user('owner-ann', ['admin']);
});
after(async () => {
  await stack.close();
});

/** Chat tokens fetched now, to be used later. */
async function stockpile(user: User, roomArn: string): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < TOKENS; i++) {
    const answer = await user.chatToken(roomArn);
    assert.equal(answer.status, 200, `a token while still allowed: ${describeAnswer(answer)}`);
    tokens.push(String(at(answer.body, 'token')));
  }
  return tokens;
}

/** A private room of the owner's with these members. */
async function privateRoomWith(...members: User[]): Promise<{ id: string; arn: string }> {
  const room = await stack.createRoom(owner, 'private');
  for (const member of members) {
    const added = await owner.call('PUT', `/v1/rooms/${room.id}/members/${member.userId}`, {
      role: 'member',
    });
    assert.equal(added.status, 201, describeAnswer(added));
  }
  return room;
}

async function join(user: User, roomArn: string): Promise<ChatConnection> {
  const answer = await user.chatToken(roomArn);
  assert.equal(answer.status, 200, describeAnswer(answer));
  return openChatOrFail(stack.messagingUrl, String(at(answer.body, 'token')));
}

/** The contents of the room's history as its owner reads it, once `marker` is in it (bounded). */
async function historyUpTo(roomId: string, marker: string): Promise<string[]> {
  const deadline = Date.now() + WAIT.historyMs;
  for (;;) {
    const res = await owner.call('GET', `/v1/rooms/${roomId}/messages?limit=100`);
    const messages = at(res.body, 'messages');
    const contents = Array.isArray(messages) ? messages.map((message) => String(at(message, 'content'))) : [];
    if (contents.includes(marker) || Date.now() > deadline) return contents;
    await sleep(200);
  }
}

/**
 * Reconnects with each token in turn and measures how long each connection stays up, each bounded by
 * the contract's 30 s and all of them by ALL_RECONNECTIONS_MS. Stops at the first that stays longer.
 */
async function reconnectionLifetimes(
  tokens: readonly string[],
): Promise<{ lifetimesMs: number[]; overran: boolean }> {
  const lifetimesMs: number[] = [];
  const deadline = Date.now() + ALL_RECONNECTIONS_MS;
  for (const token of tokens) {
    const startedAt = Date.now();
    const connection = openChat(stack.messagingUrl, token);
    const budget = Math.min(WAIT.revocationMs, Math.max(deadline - startedAt, 0));
    const closed = await closedWithin(connection, budget);
    if (!closed) {
      connection.close();
      return { lifetimesMs, overran: true };
    }
    lifetimesMs.push((await connection.closed) - startedAt);
  }
  return { lifetimesMs, overran: false };
}

describe('a member removed from a private room, with tokens fetched before the removal', () => {
  it('is refused what they send (ERROR 406): nothing reaches the room or its history', async () => {
    const removed = stack.user('removed-bob');
    const viewer = stack.user('viewer-carol');
    const room = await privateRoomWith(removed, viewer);
    const tokens = await stockpile(removed, room.arn);
    const removal = await owner.call('DELETE', `/v1/rooms/${room.id}/members/${removed.userId}`);
    assert.equal(removal.status, 204, describeAnswer(removal));
    const viewerChat = await join(viewer, room.arn);
    const ownerChat = await join(owner, room.arn);
    const text = 'sent after my removal';

    // Each older token in turn, until one gets an answer: a revocation sweep may close a connection
    // between its opening and its send (that refuses the send too, but says nothing about review).
    let answer: Frame | undefined;
    for (const token of tokens) {
      const connection = openChat(stack.messagingUrl, token);
      answer = await connection.sendMessage(text);
      connection.close();
      if (answer !== undefined) break;
    }
    const marker = `marker after the attempt ${Date.now()}`;
    const markerSent = await ownerChat.sendMessage(marker);
    const markerSeen = await viewerChat.waitForFrame(
      (frame) => frame.Type === 'MESSAGE' && frame.Content === marker,
      WAIT.answerMs,
    );
    const history = await historyUpTo(room.id, marker);
    const deliveredCount = viewerChat.frames.filter(
      (frame) => frame.Type === 'MESSAGE' && frame.Content === text,
    ).length;
    console.log(
      `[finding 1] send after removal with a stockpiled token: answered ${String(answer?.Type)} ` +
        `${JSON.stringify(answer?.ErrorCode ?? null)}; delivered ${deliveredCount}, in history ${history.filter((content) => content === text).length}`,
    );

    assert.ok(answer, 'the send got an answer');
    assert.equal(answer.Type, 'ERROR', `the send was answered: ${JSON.stringify(answer)}`);
    assert.equal(answer.ErrorCode, 406, `refused by the review function: ${JSON.stringify(answer)}`);
    assert.equal(markerSent?.Type, 'MESSAGE', 'the owner can still send');
    assert.ok(markerSeen, 'the viewer received what was sent after the attempt');
    const delivered = viewerChat.frames.filter((frame) => frame.Type === 'MESSAGE' && frame.Content === text);
    assert.deepEqual(delivered, [], 'what the viewer received from the removed member');
    assert.ok(history.includes(marker), 'the history caught up with the marker');
    assert.ok(
      !history.includes(text),
      `the removed member's message is in the history: ${JSON.stringify(history)}`,
    );
    viewerChat.close();
    ownerChat.close();
  });
});

/** The stockpile figures, printed for the record (issue 19's measure). */
function reportLifetimes(who: string, lifetimesMs: readonly number[]): void {
  console.log(
    `[finding 1] ${who}: ${lifetimesMs.length} of ${TOKENS} reconnections with stockpiled tokens closed after ` +
      `${lifetimesMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')} (sweep every ${SWEEP_SECONDS} s; bound 30 s each)`,
  );
}

// The two run side by side so that today's failure (no reconnection ever closes) costs one 30 s wait.
describe('reconnecting with an older token after losing access', { concurrency: 2 }, () => {
  it('closes each reconnection of a member removed from a private room within 30 s', async () => {
    const removed = stack.user('removed-dan');
    const room = await privateRoomWith(removed);
    const tokens = await stockpile(removed, room.arn);
    const removal = await owner.call('DELETE', `/v1/rooms/${room.id}/members/${removed.userId}`);
    assert.equal(removal.status, 204, describeAnswer(removal));

    const { lifetimesMs, overran } = await reconnectionLifetimes(tokens);
    reportLifetimes('removed member', lifetimesMs);

    assert.ok(
      !overran,
      `reconnection ${lifetimesMs.length + 1} of ${TOKENS} stayed open longer than allowed ` +
        `(closed before it: ${JSON.stringify(lifetimesMs)} ms)`,
    );
    assert.equal(lifetimesMs.length, TOKENS);
  });

  it('closes each reconnection of a user banned from a room within 30 s', async () => {
    const room = await stack.createRoom(owner, 'public', 'ban-then-reconnect');
    const banned = stack.user('banned-eve');
    const tokens = await stockpile(banned, room.arn);
    const ban = await owner.call('PUT', `/v1/rooms/${room.id}/bans/${banned.userId}`, {});
    assert.equal(ban.status, 201, describeAnswer(ban));

    const { lifetimesMs, overran } = await reconnectionLifetimes(tokens);
    reportLifetimes('banned user', lifetimesMs);

    assert.ok(
      !overran,
      `reconnection ${lifetimesMs.length + 1} of ${TOKENS} stayed open longer than allowed ` +
        `(closed before it: ${JSON.stringify(lifetimesMs)} ms)`,
    );
    assert.equal(lifetimesMs.length, TOKENS);
  });
});
