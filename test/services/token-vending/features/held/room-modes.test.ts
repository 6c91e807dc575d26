/**
 * Room modes end to end, through the local stack as `npm start` runs it (token service, dynalite, the
 * emulator running the built review and history Lambdas) with amazon-ivs-chat-messaging clients that
 * get their tokens from the service: slow mode, members-only sending, and held messages from the
 * review function's DENY through the moderators' queue to delivery (or not) and history.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SendMessageRequest, type ChatEvent } from 'amazon-ivs-chat-messaging';
import { createLogger } from '../../../../../shared/logger.js';
import { startLocalStack, type LocalStack } from '../../../../../scripts/start.js';
import { HELD_REASON } from '../../../../../lambdas/message-review/rules.js';
import { at } from '../../support/http.js';
import { call } from '../../support/stack.js';
import { next, refusal } from '../../../local-ivschat/helpers.js';
import { connectThroughService, devLogin, type ChatClient } from '../../support/local-stack.js';
import { REVIEW_BUDGET_UNDER_LOAD_MS } from '../../../../support/review-budget.js';

let stack: LocalStack;
const jwts = new Map<string, string>();

before(async () => {
  stack = await startLocalStack({
    env: {
      CHAT_BACKEND: 'local',
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_MAX: '0',
      // What the review function finds doubtful here: a listed term.
      REVIEW_POLICY: JSON.stringify({ holdTerms: ['spoiler'] }),
      // A review that runs out of time must not pass for a decision: its fallback is a DENY with its
      // own reason, which no assertion here accepts; the budget allows for load (review-budget.ts).
      FALLBACK_RESULT: 'DENY',
      REVIEW_BUDGET_MS: REVIEW_BUDGET_UNDER_LOAD_MS,
    },
    port: 0,
    emulatorPort: 0,
    dynamodbPort: 0,
    logger: createLogger({ level: 'silent' }),
    // The real bundles answer in a few ms; a generous deadline keeps a loaded machine from flaking.
    reviewDeadlineMs: 5000,
  });
  // The review function's worker starts on the first message, and that message shares IVS's 200 ms
  // with the cold start (and the table client's first calls, primed at init). A running deployment is
  // warm: one message, whatever its answer, and a moment for the priming calls, before the tests.
  const created = await api('POST', '/v1/rooms', 'ann', { name: 'warm-up' }, ['admin']);
  const warm = await connect('warm', String(at(created.body, 'arn')));
  await warm.room.sendMessage(new SendMessageRequest('warm up')).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  warm.room.disconnect();
});
after(async () => {
  await stack.close();
});

async function jwt(userId: string, roles: string[] = []): Promise<string> {
  const key = `${userId}:${roles.join(',')}`;
  const known = jwts.get(key);
  if (known) return known;
  const idToken = await devLogin(stack, userId, roles);
  jwts.set(key, idToken);
  return idToken;
}

const api = async (method: string, path: string, user: string, body?: unknown, roles: string[] = []) =>
  call(stack.tokenServiceUrl, method, path, {
    jwt: await jwt(user, roles),
    ...(body === undefined ? {} : { body }),
  });

/** A public room owned by ann, with carol as its moderator and the given modes. */
async function newRoom(name: string, modes: Record<string, unknown>) {
  const created = await api('POST', '/v1/rooms', 'ann', { name }, ['admin']);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const room = { id: String(at(created.body, 'id')), arn: String(at(created.body, 'arn')) };
  const moderator = await api('PUT', `/v1/rooms/${room.id}/members/carol`, 'ann', { role: 'moderator' });
  assert.ok(moderator.status === 200 || moderator.status === 201, JSON.stringify(moderator.body));
  const patched = await api('PATCH', `/v1/rooms/${room.id}`, 'ann', { modes });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  return room;
}

async function connect(user: string, roomArn: string): Promise<ChatClient> {
  return connectThroughService(stack, await jwt(user), roomArn);
}

/** Reads a listing until `done` holds (the chat log reaches history asynchronously). */
async function until(path: string, user: string, field: string, done: (items: unknown[]) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await api('GET', path, user);
    const items = (at(res.body, field) as unknown[] | undefined) ?? [];
    if (res.status !== 200 || done(items) || Date.now() > deadline) return { status: res.status, items };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('slow mode through the local stack', () => {
  it('refuses a second message inside the window with how long to wait; the moderator is exempt', async () => {
    const room = await newRoom('slow', { slowModeSeconds: 60 });
    const bob = await connect('bob', room.arn);
    const carol = await connect('carol', room.arn);

    const first = await bob.room.sendMessage(new SendMessageRequest('first'));
    const second = await refusal(bob.room.sendMessage(new SendMessageRequest('second')));
    const moderator = [
      await carol.room.sendMessage(new SendMessageRequest('one')),
      await carol.room.sendMessage(new SendMessageRequest('two')),
    ];

    assert.equal(first.content, 'first');
    assert.equal(second.errorCode, 406);
    assert.match(second.errorMessage, /^Slow mode: wait (\d+) s before your next message\.$/);
    const wait = Number(/wait (\d+) s/.exec(second.errorMessage)?.[1]);
    // 60 s minus the moments between the two sends (a loaded machine may take a few seconds).
    assert.ok(wait > 45 && wait <= 60, String(wait));
    assert.deepEqual(
      moderator.map((message) => message.content),
      ['one', 'two'],
    );
    bob.room.disconnect();
    carol.room.disconnect();
  });
});

describe('members-only sending through the local stack', () => {
  it('gives a non-member a token without SEND_MESSAGE, and refuses a send on an older token', async () => {
    const room = await newRoom('members-only', {});
    await api('PUT', `/v1/rooms/${room.id}/members/mia`, 'ann', { role: 'member' });
    // dave's token is from before the mode: it still has SEND_MESSAGE; the review function refuses.
    const dave = await connect('dave', room.arn);
    await api('PATCH', `/v1/rooms/${room.id}`, 'carol', { modes: { membersOnlySend: true } });
    const eve = await connect('eve', room.arn);
    const mia = await connect('mia', room.arn);

    const older = await refusal(dave.room.sendMessage(new SendMessageRequest('hello')));
    const fresh = await refusal(eve.room.sendMessage(new SendMessageRequest('hello')));
    const member = await mia.room.sendMessage(new SendMessageRequest('hello'));

    assert.equal(older.errorCode, 406); // the review function's DENY
    assert.match(older.errorMessage, /members/i);
    assert.deepEqual(at(eve.tokens[0], 'capabilities'), []);
    assert.equal(fresh.errorCode, 403); // no SEND_MESSAGE capability
    assert.equal(member.content, 'hello');
    for (const client of [dave, eve, mia]) client.room.disconnect();
  });
});

describe('held for review through the local stack', () => {
  it('holds a doubtful message; approving delivers it to every client as app:approved-message and history records it', async () => {
    const room = await newRoom('held', { holdForReview: true });
    const bob = await connect('bob', room.arn);
    const viewer = await connect('vic', room.arn);
    const delivered: ChatEvent[] = [];
    viewer.room.addListener('event', (event) => delivered.push(event));

    const held = await refusal(bob.room.sendMessage(new SendMessageRequest('big spoiler ahead')));
    const plain = await bob.room.sendMessage(new SendMessageRequest('no secrets here'));
    const notModerator = await api('GET', `/v1/rooms/${room.id}/held`, 'bob');
    const queue = await api('GET', `/v1/rooms/${room.id}/held`, 'carol');
    const entries = (at(queue.body, 'held') as unknown[] | undefined) ?? [];
    const heldId = String(at(entries[0], 'id'));
    const seen = next(viewer.room, 'event');
    const approved = await api('POST', `/v1/rooms/${room.id}/held/${heldId}/approve`, 'carol');
    const event = await seen;
    const again = await api('POST', `/v1/rooms/${room.id}/held/${heldId}/approve`, 'carol');
    const after = await api('GET', `/v1/rooms/${room.id}/held`, 'carol');
    const history = await until(`/v1/rooms/${room.id}/messages`, 'vic', 'messages', (items) =>
      items.some((item) => at(item, 'content') === 'big spoiler ahead'),
    );
    const log = await api('GET', `/v1/rooms/${room.id}/moderation-log`, 'carol');

    assert.equal(held.errorCode, 406);
    assert.equal(held.errorMessage, HELD_REASON);
    assert.equal(plain.content, 'no secrets here');
    assert.equal(notModerator.status, 403);
    assert.equal(queue.status, 200);
    assert.equal(entries.length, 1);
    assert.equal(at(entries[0], 'content'), 'big spoiler ahead');
    assert.equal(at(at(entries[0], 'sender'), 'userId'), 'bob');
    assert.equal(typeof at(entries[0], 'heldAt'), 'string');
    assert.equal(at(entries[0], 'reason'), 'It contains a term listed for review.');
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(at(approved.body, 'decision'), 'approved');
    assert.equal(event.eventName, 'app:approved-message');
    assert.equal(event.attributes?.userId, 'bob');
    assert.equal(event.attributes.text, 'big spoiler ahead');
    assert.equal(event.attributes.heldId, heldId);
    assert.equal(event.id, at(approved.body, 'eventId'));
    assert.equal(again.status, 409);
    assert.deepEqual(at(after.body, 'held'), []);
    const recorded = history.items.find((item) => at(item, 'content') === 'big spoiler ahead');
    assert.equal(at(recorded, 'id'), event.id);
    assert.equal(at(at(recorded, 'sender'), 'userId'), 'bob');
    const first = ((at(log.body, 'entries') as unknown[] | undefined) ?? [])[0];
    assert.equal(at(first, 'action'), 'approveHeld');
    assert.equal(at(first, 'by'), 'carol');
    assert.equal(at(first, 'target'), 'bob');
    assert.equal(at(first, 'heldId'), heldId);
    assert.equal(delivered.filter((e) => e.eventName === 'app:approved-message').length, 1);
    bob.room.disconnect();
    viewer.room.disconnect();
  });

  it('drops a rejected message: not delivered, gone from the queue, logged with the reason', async () => {
    const room = await newRoom('held-reject', { holdForReview: true });
    const bob = await connect('bob', room.arn);
    const viewer = await connect('vic', room.arn);
    const events: ChatEvent[] = [];
    viewer.room.addListener('event', (event) => events.push(event));

    await refusal(bob.room.sendMessage(new SendMessageRequest('a spoiler again')));
    const queue = await api('GET', `/v1/rooms/${room.id}/held`, 'carol');
    const heldId = String(at(((at(queue.body, 'held') as unknown[] | undefined) ?? [])[0], 'id'));
    const rejected = await api('POST', `/v1/rooms/${room.id}/held/${heldId}/reject`, 'carol', {
      reason: 'no spoilers',
    });
    const approveAfter = await api('POST', `/v1/rooms/${room.id}/held/${heldId}/approve`, 'carol');
    const missing = await api('POST', `/v1/rooms/${room.id}/held/AAAAAAAAAAAAAAAA/approve`, 'carol');
    const after = await api('GET', `/v1/rooms/${room.id}/held`, 'carol');
    const log = await api('GET', `/v1/rooms/${room.id}/moderation-log`, 'carol');
    // A marker message after the decision: once the viewer has it, any event would have come before.
    const marker = next(viewer.room, 'message');
    await viewer.room.sendMessage(new SendMessageRequest('marker'));
    await marker;

    assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
    assert.equal(at(rejected.body, 'decision'), 'rejected');
    assert.equal(approveAfter.status, 409);
    assert.equal(missing.status, 404);
    assert.deepEqual(at(after.body, 'held'), []);
    const first = ((at(log.body, 'entries') as unknown[] | undefined) ?? [])[0];
    assert.equal(at(first, 'action'), 'rejectHeld');
    assert.equal(at(first, 'reason'), 'no spoilers');
    assert.equal(at(first, 'target'), 'bob');
    assert.deepEqual(
      events.filter((event) => event.eventName === 'app:approved-message'),
      [],
    );
    bob.room.disconnect();
    viewer.room.disconnect();
  });
});
