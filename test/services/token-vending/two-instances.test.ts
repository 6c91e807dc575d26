/**
 * Two service processes on one table and one IVS: what one instance writes, the other obeys on its
 * very next request (memberships are read strongly consistent; nothing is cached in a process).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { at } from './support/http.js';
import { startServiceProcess, type ServiceProcess } from './support/process.js';
import { call, startServiceStack, type ServiceStack } from './support/stack.js';

let stack: ServiceStack;
let first: ServiceProcess;
let second: ServiceProcess;

before(async () => {
  stack = await startServiceStack();
  [first, second] = await Promise.all([startServiceProcess(stack.env), startServiceProcess(stack.env)]);
});
after(async () => {
  await Promise.all([first.stop(), second.stop()]);
  await stack.close();
});

describe('two service instances on one table', () => {
  it('obey a membership change made through the other on the next request', async () => {
    const owner = stack.jwt('ann', ['admin']);
    const bob = stack.jwt('bob');
    const created = await call(first.url, 'POST', '/v1/rooms', {
      jwt: owner,
      body: { name: 'shared', privacy: 'private' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const roomId = String(at(created.body, 'id'));
    const token = (url: string) =>
      call(url, 'POST', '/v1/chat-tokens', { jwt: bob, body: { roomIdentifier: at(created.body, 'arn') } });

    const beforeJoin = await token(second.url);
    const added = await call(first.url, 'PUT', `/v1/rooms/${roomId}/members/bob`, {
      jwt: owner,
      body: { role: 'member' },
    });
    const afterJoin = await token(second.url);
    const removed = await call(second.url, 'DELETE', `/v1/rooms/${roomId}/members/bob`, { jwt: owner });
    const afterRemoval = await token(first.url);

    assert.equal(beforeJoin.status, 403);
    assert.equal(at(beforeJoin.body, 'code'), 'not_a_member');
    assert.equal(added.status, 201);
    assert.equal(afterJoin.status, 200);
    assert.equal(removed.status, 204);
    assert.equal(afterRemoval.status, 403);
  });

  it('see a room created through the other: GET at once, lists as soon as the index has it', async () => {
    const owner = stack.jwt('ann', ['admin']);
    const created = await call(first.url, 'POST', '/v1/rooms', {
      jwt: owner,
      body: { name: 'seen-by-both' },
    });
    // Said here, with the answer, rather than as a GET of room "undefined" answering 400 below.
    assert.equal(created.status, 201, JSON.stringify(created.body));

    const got = await call(second.url, 'GET', `/v1/rooms/${String(at(created.body, 'id'))}`, {
      jwt: stack.jwt('carol'),
    });
    const listed = await call(second.url, 'GET', '/v1/rooms?name=seen-by-both', { jwt: stack.jwt('carol') });

    assert.equal(got.status, 200);
    assert.equal((at(listed.body, 'rooms') as unknown[]).length, 1);
  });

  it('obey a ban made through the other on the next request, and its lifting', async () => {
    const owner = stack.jwt('ann', ['admin']);
    const mal = stack.jwt('mal');
    const created = await call(first.url, 'POST', '/v1/rooms', { jwt: owner, body: { name: 'ban-shared' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const roomId = String(at(created.body, 'id'));
    const token = (url: string) =>
      call(url, 'POST', '/v1/chat-tokens', { jwt: mal, body: { roomIdentifier: at(created.body, 'arn') } });

    const before = await token(second.url);
    const banned = await call(first.url, 'PUT', `/v1/rooms/${roomId}/bans/mal`, {
      jwt: owner,
      body: { reason: 'spam' },
    });
    const during = await token(second.url);
    const lifted = await call(second.url, 'DELETE', `/v1/rooms/${roomId}/bans/mal`, { jwt: owner });
    const afterwards = await token(first.url);

    assert.equal(before.status, 200);
    assert.equal(banned.status, 201);
    assert.equal(during.status, 403);
    assert.equal(at(during.body, 'code'), 'banned');
    assert.equal(lifted.status, 204);
    assert.equal(afterwards.status, 200);
  });
});
