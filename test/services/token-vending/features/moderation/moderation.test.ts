/**
 * Bans, timeouts and moderator actions through the local stack as `npm start` runs it: the token
 * service, dynalite, the emulator running the built review and history Lambdas, and
 * amazon-ivs-chat-messaging clients getting their tokens from the service.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { createTableClient, type Table } from '../../../../../shared/table/client.js';
import type { LocalStack } from '../../../../../scripts/start.js';
import { putRestriction } from '../../../../../services/token-vending/features/moderation/restrictions-store.js';
import { at } from '../../support/http.js';
import { call } from '../../support/stack.js';
import { next, refusal } from '../../../local-ivschat/helpers.js';
import {
  connectThroughService,
  devLogin,
  startQuietLocalStack,
  type ChatClient,
} from '../../support/local-stack.js';

let stack: LocalStack;
let table: Table;
const jwts = new Map<string, string>();

before(async () => {
  stack = await startQuietLocalStack();
  table = {
    name: String(stack.tableName),
    client: createTableClient({ endpoint: stack.tableEndpoint, region: 'us-east-1', dummyCredentials: true }),
  };
});
after(async () => {
  table.client.destroy();
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

async function newRoom(name: string): Promise<{ id: string; arn: string }> {
  const res = await api('POST', '/v1/rooms', 'ann', { name }, ['admin']);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: String(at(res.body, 'id')), arn: String(at(res.body, 'arn')) };
}

/** A chat client whose tokens come from the service (status checked), connected. */
async function connect(user: string, roomArn: string, roles: string[] = []): Promise<ChatClient> {
  return connectThroughService(stack, await jwt(user, roles), roomArn);
}

async function tokenStatus(user: string, roomArn: string, roles: string[] = []) {
  return call(stack.tokenServiceUrl, 'POST', '/v1/chat-tokens', {
    jwt: await jwt(user, roles),
    body: { roomIdentifier: roomArn },
  });
}

describe('room bans', () => {
  it("close the user's connection with the reason and refuse their next token until lifted", async () => {
    const room = await newRoom('ban-room');
    const bob = await connect('bob', room.arn);
    const closed = next(bob.room, 'disconnect');

    const banned = await api(
      'PUT',
      `/v1/rooms/${room.id}/bans/bob`,
      'ann',
      { reason: 'spam', durationMinutes: 60 },
      ['admin'],
    );
    await closed;
    const refused = await tokenStatus('bob', room.arn);
    const again = await api('PUT', `/v1/rooms/${room.id}/bans/bob`, 'ann', { reason: 'more spam' }, [
      'admin',
    ]);
    const lifted = await api('DELETE', `/v1/rooms/${room.id}/bans/bob`, 'ann', undefined, ['admin']);
    const liftedAgain = await api('DELETE', `/v1/rooms/${room.id}/bans/bob`, 'ann', undefined, ['admin']);
    const allowed = await tokenStatus('bob', room.arn);

    assert.equal(banned.status, 201);
    assert.equal(refused.status, 403);
    assert.equal(at(refused.body, 'code'), 'banned');
    assert.equal(at(refused.body, 'reason'), 'spam');
    assert.equal(at(refused.body, 'until'), at(banned.body, 'until'));
    assert.equal(again.status, 200); // banning twice answers cleanly, with the new terms
    assert.equal(at(again.body, 'until'), undefined);
    assert.equal(lifted.status, 204);
    assert.equal(liftedAgain.status, 204);
    assert.equal(allowed.status, 200);
  });

  it('refuse a moderator acting on the owner or themself (403); an admin stays unbound', async () => {
    const room = await newRoom('protected');
    await api('PUT', `/v1/rooms/${room.id}/members/carol`, 'ann', { role: 'moderator' }, ['admin']);
    const carol = (path: string, body?: unknown) => api('PUT', path, 'carol', body);

    const owner = await carol(`/v1/rooms/${room.id}/bans/ann`, {});
    const self = await carol(`/v1/rooms/${room.id}/bans/carol`, {});
    const member = await carol(`/v1/rooms/${room.id}/timeouts/dave`, { durationMinutes: 5 });
    // Whether zed is an admin is known from zed's own JWT only: the timeout is recorded, and binds
    // zed only while zed is no admin.
    const admin = await carol(`/v1/rooms/${room.id}/timeouts/zed`, { durationMinutes: 5 });
    const adminToken = await tokenStatus('zed', room.arn, ['admin']);

    assert.deepEqual([owner.status, self.status, member.status], [403, 403, 201]);
    assert.equal(admin.status, 201);
    assert.equal(adminToken.status, 200);
  });

  it('refuse a non-moderator (403) and bad input (400) before anything is written', async () => {
    const room = await newRoom('guarded-bans');

    const user = await api('PUT', `/v1/rooms/${room.id}/bans/dave`, 'bob', {});
    const longReason = await api(
      'PUT',
      `/v1/rooms/${room.id}/bans/dave`,
      'ann',
      { reason: 'x'.repeat(257) },
      ['admin'],
    );
    const zero = await api('PUT', `/v1/rooms/${room.id}/timeouts/dave`, 'ann', { durationMinutes: 0 }, [
      'admin',
    ]);
    const noDuration = await api('PUT', `/v1/rooms/${room.id}/timeouts/dave`, 'ann', {}, ['admin']);
    const list = await api('GET', `/v1/rooms/${room.id}/bans`, 'ann', undefined, ['admin']);

    assert.deepEqual([user.status, longReason.status, zero.status, noDuration.status], [403, 400, 400, 400]);
    assert.deepEqual(at(list.body, 'bans'), []);
  });

  it('end by themselves: an expired ban lets the next token through and is not listed', async () => {
    const room = await newRoom('expiring');
    const now = Date.now();
    // Bans last a minute at least through the API; the expiry check on read is what is tested here.
    // 5 s: the requests made during the ban must be answered before it ends, on a loaded machine too.
    const untilMs = now + 5000;
    await putRestriction(
      table,
      'ban',
      room.id,
      {
        userId: 'erin',
        reason: 'cool off',
        until: new Date(untilMs).toISOString(),
        by: 'ann',
        since: new Date(now).toISOString(),
      },
      now,
    );

    const during = await tokenStatus('erin', room.arn);
    const listedDuring = await api('GET', `/v1/rooms/${room.id}/bans`, 'ann', undefined, ['admin']);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, untilMs - Date.now()) + 100));
    const afterwards = await tokenStatus('erin', room.arn);
    const listedAfter = await api('GET', `/v1/rooms/${room.id}/bans`, 'ann', undefined, ['admin']);

    assert.equal(during.status, 403);
    assert.equal((at(listedDuring.body, 'bans') as unknown[]).length, 1);
    assert.equal(afterwards.status, 200);
    assert.deepEqual(at(listedAfter.body, 'bans'), []);
  });
});

describe('timeouts', () => {
  it('stop what a connected user sends from reaching anyone, keep them reading, and lift cleanly', async () => {
    const room = await newRoom('timeout-room');
    const bob = await connect('bob', room.arn);
    const viewer = await connect('vic', room.arn);

    const set = await api(
      'PUT',
      `/v1/rooms/${room.id}/timeouts/bob`,
      'ann',
      { durationMinutes: 10, reason: 'calm down' },
      ['admin'],
    );
    const refused = await refusal(bob.room.sendMessage(new SendMessageRequest('still here')));
    const reissued = await tokenStatus('bob', room.arn);
    const fromViewer = await viewer.room.sendMessage(new SendMessageRequest('can you read me'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lifted = await api('DELETE', `/v1/rooms/${room.id}/timeouts/bob`, 'ann', undefined, ['admin']);
    const afterLift = await bob.room.sendMessage(new SendMessageRequest('back again'));

    assert.equal(set.status, 201);
    assert.equal(refused.errorCode, 406);
    assert.match(refused.errorMessage, /timed out until/);
    assert.ok(!viewer.received.some((message) => message.content === 'still here'), 'nobody received it');
    assert.ok(
      bob.received.some((message) => message.id === fromViewer.id),
      'bob still reads',
    );
    assert.deepEqual(at(reissued.body, 'capabilities'), []);
    assert.equal(at(reissued.body, 'sendBlockedUntil'), at(set.body, 'until'));
    assert.equal(lifted.status, 204);
    assert.equal(afterLift.content, 'back again');
    bob.room.disconnect();
    viewer.room.disconnect();
  });

  it('end by themselves: the same connection can send once the timeout has passed', async () => {
    const room = await newRoom('timeout-expiry');
    const bob = await connect('bob', room.arn);
    const now = Date.now();
    // 5 s: the refused send must be reviewed before the timeout ends, on a loaded machine too.
    const untilMs = now + 5000;
    await putRestriction(
      table,
      'timeout',
      room.id,
      {
        userId: 'bob',
        reason: undefined,
        until: new Date(untilMs).toISOString(),
        by: 'ann',
        since: new Date(now).toISOString(),
      },
      now,
    );

    const during = await refusal(bob.room.sendMessage(new SendMessageRequest('too soon')));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, untilMs - Date.now()) + 100));
    const afterwards = await bob.room.sendMessage(new SendMessageRequest('now'));

    assert.equal(during.errorCode, 406);
    assert.equal(afterwards.content, 'now');
    bob.room.disconnect();
  });
});

describe('app-wide bans', () => {
  it('disconnect the user from every room they are in and refuse tokens for any room', async () => {
    const first = await newRoom('app-ban-1');
    const second = await newRoom('app-ban-2');
    const third = await newRoom('app-ban-3');
    const one = await connect('mal', first.arn);
    const two = await connect('mal', second.arn);
    const closed = Promise.all([next(one.room, 'disconnect', 5000), next(two.room, 'disconnect', 5000)]);

    const banned = await api('PUT', '/v1/bans/mal', 'ann', { reason: 'abuse' }, ['admin']);
    await closed;
    const elsewhere = await tokenStatus('mal', third.arn);
    const shown = await api('GET', '/v1/bans/mal', 'ann', undefined, ['admin']);
    const byNonAdmin = await api('PUT', '/v1/bans/dave', 'bob', {});
    await api('DELETE', '/v1/bans/mal', 'ann', undefined, ['admin']);
    const lifted = await tokenStatus('mal', third.arn);

    assert.equal(banned.status, 201);
    assert.equal(at(banned.body, 'rooms'), 2);
    assert.equal(elsewhere.status, 403);
    assert.equal(at(elsewhere.body, 'scope'), 'app');
    assert.equal(at(shown.body, 'reason'), 'abuse');
    assert.equal(byNonAdmin.status, 403);
    assert.equal(lifted.status, 200);
  });
});

describe('messages, events and the moderation log', () => {
  it('deletes a message (twice is fine), sends an event, and logs who did what, newest first', async () => {
    const room = await newRoom('modlog');
    const bob = await connect('bob', room.arn);
    const sent = await bob.room.sendMessage(new SendMessageRequest('delete me'));
    const eventSeen = next(bob.room, 'event');

    const deleted = await api(
      'DELETE',
      `/v1/rooms/${room.id}/messages/${sent.id}`,
      'ann',
      { reason: 'off topic' },
      ['admin'],
    );
    const deletedAgain = await api('DELETE', `/v1/rooms/${room.id}/messages/${sent.id}`, 'ann', undefined, [
      'admin',
    ]);
    const event = await api(
      'POST',
      `/v1/rooms/${room.id}/events`,
      'ann',
      { eventName: 'announcement', attributes: { text: 'hi' } },
      ['admin'],
    );
    const received = await eventSeen;
    await api('PUT', `/v1/rooms/${room.id}/timeouts/bob`, 'ann', { durationMinutes: 1 }, ['admin']);
    const log = await api('GET', `/v1/rooms/${room.id}/moderation-log?maxResults=2`, 'ann', undefined, [
      'admin',
    ]);
    const page2 = await api(
      'GET',
      `/v1/rooms/${room.id}/moderation-log?maxResults=2&nextToken=${String(at(log.body, 'nextToken'))}`,
      'ann',
      undefined,
      ['admin'],
    );
    const byUser = await api('GET', `/v1/rooms/${room.id}/moderation-log`, 'bob');

    assert.equal(deleted.status, 204);
    assert.equal(deletedAgain.status, 204);
    assert.equal(event.status, 200);
    assert.ok(received.eventName === 'aws:DELETE_MESSAGE' || received.eventName === 'announcement');
    const actions = [
      ...(at(log.body, 'entries') as unknown[]),
      ...(at(page2.body, 'entries') as unknown[]),
    ].map((entry) => at(entry, 'action'));
    assert.deepEqual(actions, ['timeout', 'sendEvent', 'deleteMessage', 'deleteMessage']);
    assert.equal(at((at(log.body, 'entries') as unknown[])[0], 'by'), 'ann');
    assert.equal(byUser.status, 403);
    bob.room.disconnect();
  });

  it('logs role grants and removals of others, not a member joining or leaving themself', async () => {
    const room = await newRoom('member-log');
    await api('PUT', `/v1/rooms/${room.id}/members/me`, 'dave', { role: 'member' });
    await api('PUT', `/v1/rooms/${room.id}/members/carol`, 'ann', { role: 'moderator' }, ['admin']);
    await api('DELETE', `/v1/rooms/${room.id}/members/dave`, 'carol');

    const log = await api('GET', `/v1/rooms/${room.id}/moderation-log`, 'ann', undefined, ['admin']);

    const entries = (at(log.body, 'entries') as unknown[]).map((entry) => [
      at(entry, 'action'),
      at(entry, 'by'),
      at(entry, 'target'),
    ]);
    assert.deepEqual(entries, [
      ['removeMember', 'carol', 'dave'],
      ['setRole', 'ann', 'carol'],
    ]);
  });
});
