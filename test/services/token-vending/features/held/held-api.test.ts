/**
 * The held-message routes against the service as it runs (emulator, dynalite, JWKS), with held
 * messages written in the review function's layout (shared/table/held.ts): the queue's order and
 * pages, expiry, decisions that race, a delivery that fails, and bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteRoomCommand } from '@aws-sdk/client-ivschat';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { heldItem, newHeldId, parseHeldItem } from '../../../../../shared/table/held.js';
import { keys } from '../../../../../shared/table/keys.js';
import { at } from '../../support/http.js';
import { call, startServiceStack, type ServiceStack } from '../../support/stack.js';

let stack: ServiceStack;

before(async () => {
  stack = await startServiceStack();
});
after(async () => {
  await stack.close();
});

const api = (method: string, path: string, user: string, body?: unknown, roles: string[] = []) =>
  call(stack.url, method, path, { jwt: stack.jwt(user, roles), ...(body === undefined ? {} : { body }) });

async function newRoom(name: string): Promise<{ id: string; arn: string }> {
  const res = await api('POST', '/v1/rooms', 'ann', { name }, ['admin']);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const room = { id: String(at(res.body, 'id')), arn: String(at(res.body, 'arn')) };
  await api('PUT', `/v1/rooms/${room.id}/members/carol`, 'ann', { role: 'moderator' }, ['admin']);
  return room;
}

/** Writes a held message as the review function does; `heldAt` in the past, `ttl` relative to now. */
async function hold(roomId: string, content: string, heldAt: string, ttlFromNowSeconds = 3600) {
  const id = newHeldId();
  await stack.table.client.send(
    new PutCommand({
      TableName: stack.table.name,
      Item: heldItem({
        id,
        roomId,
        content,
        sender: { userId: 'bob', attributes: { displayName: 'Bob' } },
        messageId: 'abcDEF123456',
        reason: 'It contains a term listed for review.',
        heldAt,
        ttl: Math.floor(Date.now() / 1000) + ttlFromNowSeconds,
      }),
    }),
  );
  return id;
}

const contents = (body: unknown): unknown[] =>
  ((at(body, 'held') as unknown[] | undefined) ?? []).map((held) => at(held, 'content'));

describe('GET /v1/rooms/{roomId}/held', () => {
  it('lists oldest first, in pages, leaving out expired and decided messages', async () => {
    const room = await newRoom('held-pages');
    await hold(room.id, 'third', '2026-11-30T12:00:03.000Z');
    await hold(room.id, 'first', '2026-11-30T12:00:01.000Z');
    await hold(room.id, 'expired', '2026-11-30T12:00:00.000Z', -60);
    const decided = await hold(room.id, 'decided', '2026-11-30T12:00:02.000Z');
    await hold(room.id, 'second', '2026-11-30T12:00:02.500Z');
    await hold(room.id, 'fourth', '2026-11-30T12:00:04.000Z');
    const rejected = await api('POST', `/v1/rooms/${room.id}/held/${decided}/reject`, 'carol');

    const first = await api('GET', `/v1/rooms/${room.id}/held?maxResults=2`, 'carol');
    const token = String(at(first.body, 'nextToken'));
    const second = await api('GET', `/v1/rooms/${room.id}/held?maxResults=2&nextToken=${token}`, 'carol');
    const foreign = await api(
      'GET',
      `/v1/rooms/${(await newRoom('other')).id}/held?nextToken=${token}`,
      'carol',
    );

    assert.equal(rejected.status, 200);
    assert.deepEqual(contents(first.body), ['first', 'second']);
    assert.deepEqual(contents(second.body), ['third', 'fourth']);
    assert.equal(foreign.status, 400);
    assert.equal(at(foreign.body, 'code'), 'invalid_next_token');
  });

  it('refuses members and outsiders (403) and a malformed held id (400)', async () => {
    const room = await newRoom('held-access');
    await api('PUT', `/v1/rooms/${room.id}/members/mia`, 'ann', { role: 'member' }, ['admin']);

    const member = await api('GET', `/v1/rooms/${room.id}/held`, 'mia');
    const outsider = await api('POST', `/v1/rooms/${room.id}/held/${newHeldId()}/approve`, 'zed');
    const malformed = await api('POST', `/v1/rooms/${room.id}/held/not-an-id/approve`, 'carol');

    assert.equal(member.status, 403);
    assert.equal(outsider.status, 403);
    assert.equal(malformed.status, 400);
  });
});

describe('POST .../held/{heldId}/approve and reject', () => {
  it('refuses an expired message (404): it can no longer be approved', async () => {
    const room = await newRoom('held-expired');
    const id = await hold(room.id, 'too late', '2026-11-30T12:00:00.000Z', -1);

    const approved = await api('POST', `/v1/rooms/${room.id}/held/${id}/approve`, 'carol');

    assert.equal(approved.status, 404);
  });

  it('lets exactly one of two moderators deciding at once win; the other is told who decided', async () => {
    const room = await newRoom('held-race');
    await api('PUT', `/v1/rooms/${room.id}/members/dan`, 'ann', { role: 'moderator' }, ['admin']);
    const id = await hold(room.id, 'contested', '2026-11-30T12:00:00.000Z');

    const answers = await Promise.all([
      api('POST', `/v1/rooms/${room.id}/held/${id}/approve`, 'carol'),
      api('POST', `/v1/rooms/${room.id}/held/${id}/reject`, 'dan'),
    ]);

    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses, [200, 409]);
    const loser = answers.find((answer) => answer.status === 409);
    assert.match(String(at(loser?.body, 'detail')), /already (approved by carol|rejected by dan)/);
  });

  it('keeps the message in the queue when the event cannot be sent (the room is gone from IVS)', async () => {
    const room = await newRoom('held-undeliverable');
    const id = await hold(room.id, 'stay', '2026-11-30T12:00:00.000Z');
    // Only IVS's room goes: the service still knows it, as after an out-of-band deletion.
    await stack.ivs.send(new DeleteRoomCommand({ identifier: room.arn }));

    const approved = await api('POST', `/v1/rooms/${room.id}/held/${id}/approve`, 'carol');
    const stored = await stack.table.client.send(
      new GetCommand({
        TableName: stack.table.name,
        Key: keys.heldMessage(room.id, id),
        ConsistentRead: true,
      }),
    );

    assert.equal(approved.status, 404);
    const held = parseHeldItem(stored.Item);
    assert.equal(held?.decision, undefined);
    assert.equal(stored.Item?.gsi1pk, keys.heldQueue(room.id));
  });

  it('refuses a reject body with unknown fields or a reason too long (400)', async () => {
    const room = await newRoom('held-bad-body');
    const id = await hold(room.id, 'x', '2026-11-30T12:00:00.000Z');

    const unknown = await api('POST', `/v1/rooms/${room.id}/held/${id}/reject`, 'carol', { why: 'x' });
    const long = await api('POST', `/v1/rooms/${room.id}/held/${id}/reject`, 'carol', {
      reason: 'x'.repeat(1000),
    });

    assert.equal(unknown.status, 400);
    assert.equal(long.status, 400);
  });
});
