/**
 * GET /v1/rooms/{roomId}/messages through the local stack: messages sent with
 * amazon-ivs-chat-messaging reach the history through the emulator's chat log and the history Lambda,
 * exactly as CloudWatch Logs feeds it in AWS; the service reads them back for late joiners.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatRoom, SendMessageRequest, type ChatMessage } from 'amazon-ivs-chat-messaging';
import type { LocalStack } from '../../../../../scripts/start.js';
import { at } from '../../support/http.js';
import { call } from '../../support/stack.js';
import { connectThroughService, devLogin, startQuietLocalStack } from '../../support/local-stack.js';

let stack: LocalStack;

before(async () => {
  stack = await startQuietLocalStack();
});
after(async () => {
  await stack.close();
});

const jwt = (userId: string, roles: string[] = []): Promise<string> => devLogin(stack, userId, roles);

async function connect(idToken: string, roomArn: string): Promise<ChatRoom> {
  return (await connectThroughService(stack, idToken, roomArn)).room;
}

/** Reads history until `done` holds (the log feed is asynchronous: batched every 100 ms locally). */
async function historyUntil(
  path: string,
  idToken: string,
  done: (ids: string[]) => boolean,
): Promise<{ status: number; ids: string[]; body: unknown }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await call(stack.tokenServiceUrl, 'GET', path, { jwt: idToken });
    const ids = ((at(res.body, 'messages') as unknown[] | undefined) ?? []).map((message) =>
      String(at(message, 'id')),
    );
    if (res.status !== 200 || done(ids) || Date.now() > deadline)
      return { status: res.status, ids, body: res.body };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('GET /v1/rooms/{roomId}/messages', () => {
  it('returns what was sent, newest first, under the ids clients saw live; a deleted message disappears', async () => {
    const admin = await jwt('ann', ['admin']);
    const created = await call(stack.tokenServiceUrl, 'POST', '/v1/rooms', {
      jwt: admin,
      body: { name: 'history' },
    });
    const roomId = String(at(created.body, 'id'));
    const bob = await jwt('bob');
    const chat = await connect(bob, String(at(created.body, 'arn')));
    const sent: ChatMessage[] = [];
    for (const text of ['one', 'two', 'what the fuck'])
      sent.push(await chat.sendMessage(new SendMessageRequest(text)));
    const path = `/v1/rooms/${roomId}/messages?limit=10`;

    const full = await historyUntil(path, await jwt('late'), (ids) => ids.length >= 3);
    const deleted = await call(
      stack.tokenServiceUrl,
      'DELETE',
      `/v1/rooms/${roomId}/messages/${sent[1]?.id ?? ''}`,
      { jwt: admin },
    );
    const afterDelete = await historyUntil(
      path,
      await jwt('late'),
      (ids) => !ids.includes(sent[1]?.id ?? ''),
    );

    assert.equal(full.status, 200);
    assert.deepEqual(full.ids, sent.map((message) => message.id).reverse());
    const masked = (at(full.body, 'messages') as unknown[])[0];
    assert.equal(at(masked, 'content'), sent[2]?.content, 'stored as delivered');
    assert.equal(at(masked, 'content'), 'what the ****');
    assert.equal(at(masked, 'sender', 'userId'), 'bob');
    assert.equal(deleted.status, 204);
    assert.deepEqual(afterDelete.ids, [sent[2]?.id, sent[0]?.id]);
    chat.disconnect();
  });

  it('pages with limit and nextToken, and refuses bad ones (400)', async () => {
    const admin = await jwt('ann', ['admin']);
    const created = await call(stack.tokenServiceUrl, 'POST', '/v1/rooms', {
      jwt: admin,
      body: { name: 'paged' },
    });
    const roomId = String(at(created.body, 'id'));
    const chat = await connect(admin, String(at(created.body, 'arn')));
    for (const text of ['a', 'b', 'c', 'd', 'e']) await chat.sendMessage(new SendMessageRequest(text));
    await historyUntil(`/v1/rooms/${roomId}/messages`, admin, (ids) => ids.length >= 5);

    const first = await call(stack.tokenServiceUrl, 'GET', `/v1/rooms/${roomId}/messages?limit=2`, {
      jwt: admin,
    });
    const second = await call(
      stack.tokenServiceUrl,
      'GET',
      `/v1/rooms/${roomId}/messages?limit=2&nextToken=${String(at(first.body, 'nextToken'))}`,
      { jwt: admin },
    );
    const tooMany = await call(stack.tokenServiceUrl, 'GET', `/v1/rooms/${roomId}/messages?limit=101`, {
      jwt: admin,
    });
    const forged = await call(stack.tokenServiceUrl, 'GET', `/v1/rooms/${roomId}/messages?nextToken=abc`, {
      jwt: admin,
    });

    const contents = [
      ...(at(first.body, 'messages') as unknown[]),
      ...(at(second.body, 'messages') as unknown[]),
    ].map((message) => at(message, 'content'));
    assert.deepEqual(contents, ['e', 'd', 'c', 'b']);
    assert.equal(tooMany.status, 400);
    assert.equal(forged.status, 400);
    chat.disconnect();
  });

  it("is a 404 to a private room's non-members and a 403 to a banned user", async () => {
    const admin = await jwt('ann', ['admin']);
    const closed = await call(stack.tokenServiceUrl, 'POST', '/v1/rooms', {
      jwt: admin,
      body: { name: 'closed', privacy: 'private' },
    });
    const open = await call(stack.tokenServiceUrl, 'POST', '/v1/rooms', {
      jwt: admin,
      body: { name: 'open' },
    });
    await call(stack.tokenServiceUrl, 'PUT', `/v1/rooms/${String(at(open.body, 'id'))}/bans/mal`, {
      jwt: admin,
      body: {},
    });

    const outsider = await call(
      stack.tokenServiceUrl,
      'GET',
      `/v1/rooms/${String(at(closed.body, 'id'))}/messages`,
      {
        jwt: await jwt('bob'),
      },
    );
    const banned = await call(
      stack.tokenServiceUrl,
      'GET',
      `/v1/rooms/${String(at(open.body, 'id'))}/messages`,
      {
        jwt: await jwt('mal'),
      },
    );

    assert.equal(outsider.status, 404);
    assert.equal(banned.status, 403);
    assert.equal(at(banned.body, 'code'), 'banned');
  });
});
