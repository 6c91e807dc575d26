import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateChatTokenCommand, GetRoomCommand, ListRoomsCommand } from '@aws-sdk/client-ivschat';
import { SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { WebSocket } from 'ws';
import { isRecord } from '../../../shared/json.js';
import { resolveFunction } from '../../../services/local-ivschat/functions.js';
import { createRoom, join, lambdaArn, refusal, startHarness, type Harness } from './helpers.js';

const JSON_TYPE = { 'content-type': 'application/json' };

/** The first frame the server sends on a raw connection after `frame` is sent. */
async function reply(url: string, token: string, frame: string): Promise<Record<string, unknown>> {
  const socket = new WebSocket(url, token);
  try {
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const answer = new Promise<unknown>((resolve, reject) => {
      socket.once('message', (data: Buffer) => {
        resolve(JSON.parse(data.toString('utf8')));
      });
      socket.once('close', (code) => {
        reject(new Error(`closed with ${code} before any frame`));
      });
    });
    socket.send(frame);
    const parsed = await answer;
    assert.ok(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed));
    return Object.fromEntries(Object.entries(parsed));
  } finally {
    socket.close();
  }
}

describe('emulator lookups by client-chosen strings', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness.close();
  });

  it('resolves no function named after a built-in object property', () => {
    const map = { 'message-review': { module: 'dist/message-review/index.js' } };
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      assert.equal(resolveFunction(map, `arn:aws:lambda:us-east-1:123456789012:function:${name}`), undefined);
    }
  });

  it("creates a room whose handler is named `constructor` and applies the room's fallback to its messages", async () => {
    const roomArn = await createRoom(harness, {
      messageReviewHandler: { uri: lambdaArn(harness, 'constructor'), fallbackResult: 'DENY' },
    });
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      const error = await refusal(ann.sendMessage(new SendMessageRequest('hello')));
      assert.equal(error.errorCode, 406);
    } finally {
      ann.disconnect();
    }
  });

  it('keeps tags named `__proto__` and `constructor` as ordinary tags', async () => {
    const roomArn = await createRoom(harness);
    const path = `${harness.emulator.url}/tags/${encodeURIComponent(roomArn)}`;
    const tagged = await fetch(path, {
      method: 'POST',
      headers: JSON_TYPE,
      body: '{"tags": {"__proto__": "a", "constructor": "b"}}',
    });
    const listed = await fetch(path);
    assert.equal(tagged.status, 200);
    const body: unknown = await listed.json();
    assert.ok(isRecord(body) && isRecord(body.tags));
    const { tags } = body;
    assert.deepEqual(Object.entries(tags), [
      ['__proto__', 'a'],
      ['constructor', 'b'],
    ]);
  });

  it('delivers a message attribute named `__proto__` as sent', async () => {
    const roomArn = await createRoom(harness);
    const { token = '' } = await harness.client.send(
      new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'ann', capabilities: ['SEND_MESSAGE'] }),
    );
    const frame = await reply(
      harness.emulator.wsUrl,
      token,
      '{"Action": "SEND_MESSAGE", "RequestId": "r-1", "Content": "hi", "Attributes": {"__proto__": "a"}}',
    );
    assert.equal(frame.Type, 'MESSAGE');
    assert.ok(typeof frame.Attributes === 'object' && frame.Attributes !== null);
    assert.deepEqual(Object.entries(frame.Attributes), [['__proto__', 'a']]);
  });

  it('answers `POST /constructor` as an unknown operation', async () => {
    const response = await fetch(`${harness.emulator.url}/constructor`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: '{}',
    });
    assert.equal(response.status, 400);
    assert.equal(Reflect.get(await response.json(), 'reason'), 'UNKNOWN_OPERATION');
  });
});

describe('emulator control plane and browsers', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness.close();
  });

  it('refuses a text/plain body, the kind of POST any web page can send cross-site', async () => {
    const response = await fetch(`${harness.emulator.url}/CreateRoom`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('x-amzn-errortype'), 'ValidationException');
    const list = await fetch(`${harness.emulator.url}/ListRooms`, { method: 'POST', headers: JSON_TYPE });
    assert.deepEqual(Reflect.get(await list.json(), 'rooms'), []);
  });

  it('refuses a request that carries a browser Origin, even with a JSON body', async () => {
    const response = await fetch(`${harness.emulator.url}/CreateRoom`, {
      method: 'POST',
      headers: { ...JSON_TYPE, origin: 'https://example.com' },
      body: '{}',
    });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('x-amzn-errortype'), 'AccessDeniedException');
  });
});

describe('emulator messaging RequestId', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness.close();
  });

  it('refuses an oversized RequestId with ERROR 413 and does not echo it', async () => {
    const roomArn = await createRoom(harness);
    const { token = '' } = await harness.client.send(
      new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'ann', capabilities: ['SEND_MESSAGE'] }),
    );
    const frame = await reply(
      harness.emulator.wsUrl,
      token,
      JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: 'r'.repeat(10_000), Content: 'hi' }),
    );
    assert.equal(frame.Type, 'ERROR');
    assert.equal(frame.ErrorCode, 413);
    assert.equal(frame.RequestId, '');
  });

  it('accepts a 64-character RequestId and echoes it', async () => {
    const roomArn = await createRoom(harness);
    const { token = '' } = await harness.client.send(
      new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'ann', capabilities: ['SEND_MESSAGE'] }),
    );
    const requestId = 'r'.repeat(64);
    const frame = await reply(
      harness.emulator.wsUrl,
      token,
      JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: requestId, Content: 'hi' }),
    );
    assert.equal(frame.Type, 'MESSAGE');
    assert.equal(frame.RequestId, requestId);
  });
});

describe('emulator start from a damaged saved state', () => {
  const dirs: string[] = [];
  const dataDir = (): string => {
    const dir = mkdtempSync(joinPath(tmpdir(), 'local-ivschat-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('starts again after a room with a `constructor` handler was saved, and keeps that room', async () => {
    const dir = dataDir();
    const first = await startHarness({ dataDir: dir });
    let roomArn: string;
    try {
      roomArn = await createRoom(first, {
        messageReviewHandler: { uri: lambdaArn(first, 'constructor'), fallbackResult: 'ALLOW' },
      });
    } finally {
      await first.close();
    }
    const second = await startHarness({ dataDir: dir });
    try {
      const room = await second.client.send(new GetRoomCommand({ identifier: roomArn }));
      assert.equal(room.arn, roomArn);
    } finally {
      await second.close();
    }
  });

  it('skips a damaged room and keeps the others', async () => {
    const dir = dataDir();
    const first = await startHarness({ dataDir: dir });
    let roomArn: string;
    try {
      roomArn = await createRoom(first, { name: 'kept' });
    } finally {
      await first.close();
    }
    const path = joinPath(dir, 'state.json');
    const saved: unknown = JSON.parse(readFileSync(path, 'utf8'));
    assert.ok(typeof saved === 'object' && saved !== null);
    const rooms: unknown = Reflect.get(saved, 'rooms');
    assert.ok(Array.isArray(rooms));
    const kept: unknown = rooms[0];
    assert.ok(isRecord(kept));
    // One entry that is not a room, one whose ARN names another room's id.
    const damaged: unknown[] = [{ id: 42 }, { ...kept, id: 'zzzzzzzzzzzz', name: 'copy' }];
    writeFileSync(path, JSON.stringify({ ...saved, rooms: damaged.concat(rooms) }));
    const second = await startHarness({ dataDir: dir });
    try {
      const room = await second.client.send(new GetRoomCommand({ identifier: roomArn }));
      const listed = await second.client.send(new ListRoomsCommand({}));
      assert.equal(room.name, 'kept');
      assert.deepEqual(
        listed.rooms?.map((entry) => entry.name),
        ['kept'],
      );
    } finally {
      await second.close();
    }
  });

  it('starts empty from a file that is not a snapshot, and moves that file aside', async () => {
    const dir = dataDir();
    writeFileSync(joinPath(dir, 'state.json'), '{"rooms": "nope"}');
    const harness = await startHarness({ dataDir: dir });
    try {
      await createRoom(harness);
    } finally {
      await harness.close();
    }
    assert.equal(readFileSync(joinPath(dir, 'state.json.damaged'), 'utf8'), '{"rooms": "nope"}');
  });
});
