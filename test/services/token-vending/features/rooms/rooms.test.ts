/**
 * Rooms and memberships through the service as it runs: real HTTP, the real IVS client against the
 * emulator, dynalite for the table, and amazon-ivs-chat-messaging for what a chat client sees.
 */
import assert from 'node:assert/strict';
import { keys } from '../../../../../shared/table/keys.js';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { CreateRoomCommand, GetRoomCommand, ListRoomsCommand } from '@aws-sdk/client-ivschat';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { at } from '../../support/http.js';
import { createLogger } from '../../../../../shared/logger.js';
import { startTokenService } from '../../../../../services/token-vending/entry/start.js';
import { call, startServiceStack, type ServiceStack } from '../../support/stack.js';
import { next } from '../../../local-ivschat/helpers.js';

Object.assign(globalThis, { WebSocket });

let stack: ServiceStack;
let admin: string;
let bob: string;
let carol: string;
let dave: string;

before(async () => {
  stack = await startServiceStack();
  admin = stack.jwt('ann', ['admin']);
  bob = stack.jwt('bob');
  carol = stack.jwt('carol');
  dave = stack.jwt('dave');
});
after(async () => {
  await stack.close();
});

const api = (method: string, path: string, jwt?: string, body?: unknown) =>
  call(stack.url, method, path, {
    ...(jwt === undefined ? {} : { jwt }),
    ...(body === undefined ? {} : { body }),
  });

async function createRoom(body: Record<string, unknown>, jwt = admin): Promise<{ id: string; arn: string }> {
  const res = await api('POST', '/v1/rooms', jwt, body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const id = at(res.body, 'id');
  const arn = at(res.body, 'arn');
  assert.ok(typeof id === 'string' && typeof arn === 'string');
  return { id, arn };
}

async function ivsRoomCount(): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const page = await stack.ivs.send(
      new ListRoomsCommand({ maxResults: 50, ...(nextToken ? { nextToken } : {}) }),
    );
    count += page.rooms?.length ?? 0;
    nextToken = page.nextToken;
  } while (nextToken);
  return count;
}

function tokenFor(jwt: string, roomArn: string) {
  return api('POST', '/v1/chat-tokens', jwt, { roomIdentifier: roomArn });
}

function problemCode(res: { body: unknown }): unknown {
  return at(res.body, 'code');
}

describe('POST /v1/rooms', () => {
  it('creates the IVS room with the review handler and records the caller as owner', async () => {
    const res = await api('POST', '/v1/rooms', admin, {
      name: 'launch-party',
      privacy: 'private',
      maximumMessageLength: 200,
      maximumMessageRatePerSecond: 5,
      tags: { team: 'events' },
    });

    assert.equal(res.status, 201);
    const id = String(at(res.body, 'id'));
    assert.equal(res.headers.get('location'), `/v1/rooms/${id}`);
    assert.equal(at(res.body, 'privacy'), 'private');
    assert.equal(at(res.body, 'myRole'), 'owner');
    assert.deepEqual(at(res.body, 'tags'), { team: 'events' });
    assert.equal(at(res.body, 'maximumMessageLength'), 200);
    const room = await stack.ivs.send(new GetRoomCommand({ identifier: String(at(res.body, 'arn')) }));
    assert.equal(room.name, 'launch-party');
    assert.equal(room.maximumMessageRatePerSecond, 5);
    assert.equal(
      room.messageReviewHandler?.uri,
      'arn:aws:lambda:us-east-1:123456789012:function:message-review',
    );
    const members = await api('GET', `/v1/rooms/${id}/members`, admin);
    assert.deepEqual(
      (at(members.body, 'members') as unknown[]).map((member) => [at(member, 'userId'), at(member, 'role')]),
      [['ann', 'owner']],
    );
  });

  for (const [name, body, field] of [
    ['a name with spaces', { name: 'not ok' }, 'name'],
    ['a name over 128 characters', { name: 'a'.repeat(129) }, 'name'],
    ['a message length over 500', { maximumMessageLength: 501 }, 'maximumMessageLength'],
    ['a message rate of 0', { maximumMessageRatePerSecond: 0 }, 'maximumMessageRatePerSecond'],
    ['a privacy that is not public or private', { privacy: 'secret' }, 'privacy'],
    ["a tag in the service's own namespace", { tags: { 'ivs-chat-backend:privacy': 'public' } }, 'tags'],
    ['an aws: tag', { tags: { 'aws:x': '1' } }, 'tags'],
    ['50 tags', { tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])) }, 'tags'],
    ['an unknown field', { owner: 'mallory' }, 'field 1'],
  ] as const) {
    it(`refuses ${name} with a 400 naming the field, before IVS is called`, async () => {
      const before = await ivsRoomCount();

      const res = await api('POST', '/v1/rooms', admin, body);

      assert.equal(res.status, 400);
      assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.match(String(at(res.body, 'detail')), new RegExp(field));
      assert.equal(await ivsRoomCount(), before);
    });
  }

  it('refuses a user whose role may not create rooms (403) and a caller without a JWT (401)', async () => {
    const before = await ivsRoomCount();

    const user = await api('POST', '/v1/rooms', bob, { name: 'mine' });
    const anonymous = await api('POST', '/v1/rooms', undefined, { name: 'mine' });

    assert.equal(user.status, 403);
    assert.equal(anonymous.status, 401);
    assert.equal(await ivsRoomCount(), before);
  });
});

describe('GET /v1/rooms/{roomId}', () => {
  it('shows a public room to any signed-in user, with their role (null when not a member)', async () => {
    const room = await createRoom({ name: 'lobby' });

    const res = await api('GET', `/v1/rooms/${room.id}`, bob);

    assert.equal(res.status, 200);
    assert.equal(at(res.body, 'name'), 'lobby');
    assert.equal(at(res.body, 'privacy'), 'public');
    assert.equal(at(res.body, 'myRole'), null);
  });

  it('answers 404 for a private room to a non-member, exactly as for a room that does not exist', async () => {
    const room = await createRoom({ name: 'hidden', privacy: 'private' });

    const hidden = await api('GET', `/v1/rooms/${room.id}`, bob);
    const missing = await api('GET', '/v1/rooms/abcdefABCDEF', bob);

    assert.equal(hidden.status, 404);
    assert.equal(missing.status, 404);
    assert.equal(at(hidden.body, 'code'), at(missing.body, 'code'));
    assert.equal(at(hidden.body, 'detail'), at(missing.body, 'detail'));
  });

  it('refuses a room id that is not 12 letters or digits with 400', async () => {
    const res = await api('GET', '/v1/rooms/not-an-id', bob);

    assert.equal(res.status, 400);
    assert.match(String(at(res.body, 'detail')), /roomId/);
  });

  it('shows a room made directly in IVS as public, without an owner', async () => {
    const made = await stack.ivs.send(new CreateRoomCommand({ name: 'made-elsewhere' }));

    const res = await api('GET', `/v1/rooms/${String(made.id)}`, bob);

    assert.equal(res.status, 200);
    assert.equal(at(res.body, 'privacy'), 'public');
    assert.equal(at(res.body, 'myRole'), null);
    assert.equal(at(res.body, 'arn'), made.arn);
  });
});

describe('POST /v1/chat-tokens for rooms with members', () => {
  it('refuses a non-member of a private room with 403 not_a_member, and lets a member in', async () => {
    const room = await createRoom({ name: 'vip', privacy: 'private' });

    const before = await tokenFor(bob, room.arn);
    const added = await api('PUT', `/v1/rooms/${room.id}/members/bob`, admin, { role: 'member' });
    const afterJoin = await tokenFor(bob, room.arn);

    assert.equal(before.status, 403);
    assert.equal(problemCode(before), 'not_a_member');
    assert.equal(added.status, 201);
    assert.equal(afterJoin.status, 200);
    assert.deepEqual(at(afterJoin.body, 'capabilities'), ['SEND_MESSAGE']);
  });

  it("gives a room's moderator DELETE_MESSAGE and DISCONNECT_USER in that room only", async () => {
    const room = await createRoom({ name: 'modded' });
    const other = await createRoom({ name: 'unmodded' });
    await api('PUT', `/v1/rooms/${room.id}/members/carol`, admin, { role: 'moderator' });

    const inRoom = await tokenFor(carol, room.arn);
    const elsewhere = await tokenFor(carol, other.arn);

    assert.deepEqual([...(at(inRoom.body, 'capabilities') as string[])].sort(), [
      'DELETE_MESSAGE',
      'DISCONNECT_USER',
      'SEND_MESSAGE',
    ]);
    assert.deepEqual(at(elsewhere.body, 'capabilities'), ['SEND_MESSAGE']);
  });

  it("carries the effective room role in the token's role attribute, as chat clients see it", async () => {
    const room = await createRoom({ name: 'roles' });
    await api('PUT', `/v1/rooms/${room.id}/members/carol`, admin, { role: 'moderator' });
    await api('PUT', `/v1/rooms/${room.id}/members/dave`, dave, { role: 'member' });
    const roles: Record<string, string | undefined> = {};
    for (const [name, jwt] of [
      ['ann', admin],
      ['carol', carol],
      ['dave', dave],
      ['bob', bob],
    ] as const) {
      const chat = new ChatRoom({
        regionOrUrl: stack.emulator.wsUrl,
        maxReconnectAttempts: 0,
        tokenProvider: async () => {
          const res = await tokenFor(jwt, room.arn);
          return { token: String(at(res.body, 'token')) };
        },
      });
      chat.logLevel = 'error';
      const connected = next(chat, 'connect');
      chat.connect();
      await connected;
      const message = await chat.sendMessage(new SendMessageRequest(`hello from ${name}`));
      roles[name] = message.sender.attributes?.role;
      chat.disconnect();
    }

    assert.deepEqual(roles, { ann: 'admin', carol: 'moderator', dave: 'member', bob: 'user' });
  });
});

describe('members', () => {
  it('lets anyone join a public room as a member themself, and a second PUT answers 200', async () => {
    const room = await createRoom({ name: 'open' });

    const first = await api('PUT', `/v1/rooms/${room.id}/members/me`, dave, { role: 'member' });
    const second = await api('PUT', `/v1/rooms/${room.id}/members/dave`, dave, { role: 'member' });

    assert.equal(first.status, 201);
    assert.equal(second.status, 200);
    assert.equal(at(second.body, 'since'), at(first.body, 'since'));
  });

  it('refuses to let a user join a private room themself, or make themself moderator', async () => {
    const closed = await createRoom({ name: 'closed', privacy: 'private' });
    const open = await createRoom({ name: 'open2' });

    const joinPrivate = await api('PUT', `/v1/rooms/${closed.id}/members/dave`, dave, { role: 'member' });
    const selfPromote = await api('PUT', `/v1/rooms/${open.id}/members/dave`, dave, { role: 'moderator' });

    assert.equal(joinPrivate.status, 404); // a private room is not revealed to a non-member
    assert.equal(selfPromote.status, 403);
  });

  it('lets a moderator add members but not grant moderator; only owner and admins grant it', async () => {
    const room = await createRoom({ name: 'team', privacy: 'private' });
    await api('PUT', `/v1/rooms/${room.id}/members/carol`, admin, { role: 'moderator' });

    const addMember = await api('PUT', `/v1/rooms/${room.id}/members/bob`, carol, { role: 'member' });
    const grant = await api('PUT', `/v1/rooms/${room.id}/members/bob`, carol, { role: 'moderator' });
    const ownerGrant = await api('PUT', `/v1/rooms/${room.id}/members/bob`, admin, { role: 'moderator' });

    assert.equal(addMember.status, 201);
    assert.equal(grant.status, 403);
    assert.equal(ownerGrant.status, 200);
    assert.equal(at(ownerGrant.body, 'role'), 'moderator');
  });

  it("never changes the owner's role and refuses roles other than member or moderator", async () => {
    const room = await createRoom({ name: 'owned' });

    const demote = await api('PUT', `/v1/rooms/${room.id}/members/ann`, admin, { role: 'member' });
    const owner = await api('PUT', `/v1/rooms/${room.id}/members/bob`, admin, { role: 'owner' });

    assert.equal(demote.status, 403);
    assert.equal(owner.status, 400);
  });

  it('lets a member leave, answers 204 for one who is not there, and keeps the owner in (409)', async () => {
    const room = await createRoom({ name: 'leaving' });
    await api('PUT', `/v1/rooms/${room.id}/members/bob`, bob, { role: 'member' });

    const leave = await api('DELETE', `/v1/rooms/${room.id}/members/me`, bob);
    const again = await api('DELETE', `/v1/rooms/${room.id}/members/bob`, bob);
    const ownerLeaves = await api('DELETE', `/v1/rooms/${room.id}/members/ann`, admin);

    assert.equal(leave.status, 204);
    assert.equal(again.status, 204);
    assert.equal(ownerLeaves.status, 409);
  });

  it('refuses a moderator removing the owner or another moderator', async () => {
    const room = await createRoom({ name: 'mods' });
    await api('PUT', `/v1/rooms/${room.id}/members/carol`, admin, { role: 'moderator' });
    await api('PUT', `/v1/rooms/${room.id}/members/dave`, admin, { role: 'moderator' });

    const owner = await api('DELETE', `/v1/rooms/${room.id}/members/ann`, carol);
    const peer = await api('DELETE', `/v1/rooms/${room.id}/members/dave`, carol);

    assert.equal(owner.status, 403);
    assert.equal(peer.status, 403);
  });

  it('disconnects a member removed from a private room and refuses their next token', async () => {
    const room = await createRoom({ name: 'kick', privacy: 'private' });
    await api('PUT', `/v1/rooms/${room.id}/members/bob`, admin, { role: 'member' });
    const chat = new ChatRoom({
      regionOrUrl: stack.emulator.wsUrl,
      maxReconnectAttempts: 0,
      tokenProvider: async () => {
        const res = await tokenFor(bob, room.arn);
        return { token: String(at(res.body, 'token')) };
      },
    });
    chat.logLevel = 'error';
    const connected = next(chat, 'connect');
    chat.connect();
    await connected;
    const disconnected = next(chat, 'disconnect');

    const removed = await api('DELETE', `/v1/rooms/${room.id}/members/bob`, admin);
    await disconnected;
    const token = await tokenFor(bob, room.arn);

    assert.equal(removed.status, 204);
    assert.equal(token.status, 403);
    assert.equal(problemCode(token), 'not_a_member');
  });

  it("lists a private room's members to its members only, and a public room's to its moderators", async () => {
    const closed = await createRoom({ name: 'club', privacy: 'private' });
    const open = await createRoom({ name: 'plaza' });
    await api('PUT', `/v1/rooms/${closed.id}/members/bob`, admin, { role: 'member' });
    await api('PUT', `/v1/rooms/${open.id}/members/bob`, bob, { role: 'member' });

    const member = await api('GET', `/v1/rooms/${closed.id}/members`, bob);
    const outsider = await api('GET', `/v1/rooms/${closed.id}/members`, carol);
    const publicMember = await api('GET', `/v1/rooms/${open.id}/members`, bob);
    const publicOwner = await api('GET', `/v1/rooms/${open.id}/members`, admin);

    assert.equal(member.status, 200);
    assert.equal(outsider.status, 404);
    assert.equal(publicMember.status, 403);
    assert.equal(publicOwner.status, 200);
  });

  it('pages through members with maxResults and nextToken', async () => {
    const room = await createRoom({ name: 'crowd' });
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5']) {
      await api('PUT', `/v1/rooms/${room.id}/members/${user}`, admin, { role: 'member' });
    }
    const seen: unknown[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await api(
        'GET',
        `/v1/rooms/${room.id}/members?maxResults=2${token ? `&nextToken=${token}` : ''}`,
        admin,
      );
      assert.equal(res.status, 200);
      seen.push(...(at(res.body, 'members') as unknown[]).map((member) => at(member, 'userId')));
      const nextToken = at(res.body, 'nextToken');
      token = typeof nextToken === 'string' ? nextToken : undefined;
      pages++;
    } while (token && pages < 10);

    assert.deepEqual([...seen].sort(), ['ann', 'u1', 'u2', 'u3', 'u4', 'u5']);
  });
});

describe('GET /v1/rooms', () => {
  it("lists the rooms a member belongs to with memberId=me (Chime's ListRooms MemberId)", async () => {
    const mine = await createRoom({ name: 'mine-1', privacy: 'private' });
    const joined = await createRoom({ name: 'mine-2' });
    await createRoom({ name: 'not-mine' });
    await api('PUT', `/v1/rooms/${mine.id}/members/dave`, admin, { role: 'member' });
    await api('PUT', `/v1/rooms/${joined.id}/members/dave`, dave, { role: 'member' });

    const res = await api('GET', '/v1/rooms?memberId=me', dave);

    assert.equal(res.status, 200);
    const ids = (at(res.body, 'rooms') as unknown[]).map((room) => at(room, 'id'));
    assert.ok(ids.includes(mine.id) && ids.includes(joined.id));
    const roleIn = (id: string): unknown =>
      at(
        (at(res.body, 'rooms') as unknown[]).find((room) => at(room, 'id') === id),
        'myRole',
      );
    assert.equal(roleIn(mine.id), 'member');
    assert.equal(roleIn(joined.id), 'member');
  });

  it("refuses another member's listing to a non-admin (403) and shows it to an admin", async () => {
    const refused = await api('GET', '/v1/rooms?memberId=dave', bob);
    const allowed = await api('GET', '/v1/rooms?memberId=dave', admin);

    assert.equal(refused.status, 403);
    assert.equal(allowed.status, 200);
  });

  it("lists public rooms and the caller's own private ones, never others' private rooms", async () => {
    const theirs = await createRoom({ name: 'secret-theirs', privacy: 'private' });
    const ours = await createRoom({ name: 'secret-ours', privacy: 'private' });
    await api('PUT', `/v1/rooms/${ours.id}/members/carol`, admin, { role: 'member' });
    const ids: unknown[] = [];
    let token: string | undefined;
    do {
      const res = await api('GET', `/v1/rooms${token ? `?nextToken=${token}` : ''}`, carol);
      assert.equal(res.status, 200);
      ids.push(...(at(res.body, 'rooms') as unknown[]).map((room) => at(room, 'id')));
      const nextToken = at(res.body, 'nextToken');
      token = typeof nextToken === 'string' ? nextToken : undefined;
    } while (token);

    assert.ok(ids.includes(ours.id));
    assert.ok(!ids.includes(theirs.id));
  });

  it('filters by name and lists rooms made directly in IVS as public rooms without an owner', async () => {
    const made = await stack.ivs.send(new CreateRoomCommand({ name: 'console-made' }));
    // An instance looks in IVS at most once a minute, on a first page: a fresh instance on the same
    // state looks at once.
    const fresh = await startTokenService({
      env: stack.env,
      port: 0,
      host: '127.0.0.1',
      logger: createLogger({ level: 'silent' }),
    });

    const res = await call(fresh.url, 'GET', '/v1/rooms?name=console-made', { jwt: bob }).finally(() =>
      fresh.close(),
    );

    const rooms = at(res.body, 'rooms') as unknown[];
    assert.ok(rooms.length >= 1);
    assert.ok(rooms.every((room) => at(room, 'name') === 'console-made'));
    const found = rooms.find((room) => at(room, 'id') === made.id);
    assert.equal(at(found, 'privacy'), 'public');
  });

  for (const [name, query] of [
    ['maxResults of 0', 'maxResults=0'],
    ['maxResults of 51', 'maxResults=51'],
    ['a forged nextToken', 'nextToken=Zm9yZ2Vk'],
    ['a nextToken that is not base64url', 'nextToken=%25%25%25'],
    ['an unknown parameter', 'sort=asc'],
    ['a name with spaces', 'name=a%20b'],
  ] as const) {
    it(`refuses ${name} with 400`, async () => {
      const res = await api('GET', `/v1/rooms?${query}`, bob);

      assert.equal(res.status, 400);
      assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    });
  }

  it("refuses one caller's nextToken from another caller or another filter (400)", async () => {
    const first = await api('GET', '/v1/rooms?maxResults=1', bob);
    const token = String(at(first.body, 'nextToken'));

    const otherCaller = await api('GET', `/v1/rooms?maxResults=1&nextToken=${token}`, carol);
    const otherFilter = await api('GET', `/v1/rooms?maxResults=1&name=x&nextToken=${token}`, bob);

    assert.equal(otherCaller.status, 400);
    assert.equal(problemCode(otherCaller), 'invalid_next_token');
    assert.equal(otherFilter.status, 400);
  });

  it('pages through 120 rooms without a gap or a duplicate while rooms are created concurrently', async () => {
    const created: string[] = [];
    for (let i = 0; i < 120; i++) created.push((await createRoom({ name: 'paging-batch' })).id);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      // Each page is read while two more rooms with the same name are being created.
      const [res] = await Promise.all([
        api('GET', `/v1/rooms?name=paging-batch&maxResults=7${token ? `&nextToken=${token}` : ''}`, bob),
        createRoom({ name: 'paging-batch' }),
        createRoom({ name: 'paging-batch' }),
      ]);
      assert.equal(res.status, 200);
      seen.push(...(at(res.body, 'rooms') as unknown[]).map((room) => String(at(room, 'id'))));
      const nextToken = at(res.body, 'nextToken');
      token = typeof nextToken === 'string' ? nextToken : undefined;
      pages++;
    } while (token && pages < 200);

    const fromBatch = seen.filter((id) => created.includes(id));
    assert.equal(new Set(seen).size, seen.length, 'no duplicates');
    assert.deepEqual([...fromBatch].sort(), [...created].sort());
  });
});

describe('PATCH and DELETE /v1/rooms/{roomId}', () => {
  it('lets the owner change name and slow mode in IVS; privacy cannot change (400)', async () => {
    const room = await createRoom({ name: 'before' });

    const changed = await api('PATCH', `/v1/rooms/${room.id}`, admin, {
      name: 'after',
      maximumMessageRatePerSecond: 1,
    });
    const privacy = await api('PATCH', `/v1/rooms/${room.id}`, admin, { privacy: 'private' });
    const ivs = await stack.ivs.send(new GetRoomCommand({ identifier: room.arn }));

    assert.equal(changed.status, 200);
    assert.equal(at(changed.body, 'name'), 'after');
    assert.equal(ivs.name, 'after');
    assert.equal(ivs.maximumMessageRatePerSecond, 1);
    assert.equal(privacy.status, 400);
  });

  it('refuses a member or moderator changing or deleting the room (403)', async () => {
    const room = await createRoom({ name: 'guarded' });
    await api('PUT', `/v1/rooms/${room.id}/members/carol`, admin, { role: 'moderator' });

    const patch = await api('PATCH', `/v1/rooms/${room.id}`, carol, { name: 'x' });
    const remove = await api('DELETE', `/v1/rooms/${room.id}`, carol);

    assert.equal(patch.status, 403);
    assert.equal(remove.status, 403);
  });

  it('deletes the IVS room and everything kept for it', async () => {
    const room = await createRoom({ name: 'doomed' });
    await api('PUT', `/v1/rooms/${room.id}/members/bob`, bob, { role: 'member' });

    const res = await api('DELETE', `/v1/rooms/${room.id}`, admin);
    const get = await api('GET', `/v1/rooms/${room.id}`, admin);
    const mine = await api('GET', '/v1/rooms?memberId=me', bob);
    const left = await stack.table.client.send(
      new QueryCommand({
        TableName: stack.table.name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ROOM#${room.id}` },
      }),
    );

    assert.equal(res.status, 204);
    await assert.rejects(stack.ivs.send(new GetRoomCommand({ identifier: room.arn })), {
      name: 'ResourceNotFoundException',
    });
    assert.equal(get.status, 404);
    assert.ok(!(at(mine.body, 'rooms') as unknown[]).some((item) => at(item, 'id') === room.id));
    // Only the tombstone stays (until its TTL): the history function drops what still arrives.
    assert.deepEqual(
      left.Items?.map((item) => item.sk),
      [keys.roomTombstone(room.id).sk],
    );
  });
});
