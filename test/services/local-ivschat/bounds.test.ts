/**
 * What a client can make the emulator hold or do is bounded as IVS bounds it: socket DELETE_MESSAGE
 * and DISCONNECT_USER at 100 TPS like their HTTP twins, the token registry (the control plane checks
 * no signature, so anyone can mint tokens), concurrent connections; and a token refused because its
 * room is missing is not spent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateChatTokenCommand } from '@aws-sdk/client-ivschat';
import { WebSocket } from 'ws';
import { TokenRegistry } from '../../../services/local-ivschat/tokens.js';
import { createRoom, startHarness, type Harness } from './helpers.js';

async function token(
  harness: Harness,
  roomArn: string,
  capabilities: ('DELETE_MESSAGE' | 'DISCONNECT_USER')[] = [],
) {
  const output = await harness.client.send(
    new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'mod', capabilities }),
  );
  return output.token ?? '';
}

/** Opens a raw socket with the token; resolves with it open, or with the refusal's HTTP status. */
function connect(harness: Harness, chatToken: string): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(harness.emulator.wsUrl, chatToken);
    ws.once('open', () => {
      resolve(ws);
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => {
      resolve(0);
    });
  });
}

/** Sends `count` frames at once and collects the answers naming their RequestIds. */
function burst(
  ws: WebSocket,
  count: number,
  frame: (requestId: string) => object,
): Promise<Map<string, unknown>> {
  return new Promise((resolve) => {
    const answers = new Map<string, unknown>();
    ws.on('message', (data: Buffer) => {
      const parsed: unknown = JSON.parse(data.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null) return;
      const requestId: unknown = Reflect.get(parsed, 'RequestId');
      if (typeof requestId === 'string' && requestId.startsWith('r-')) answers.set(requestId, parsed);
      if (answers.size === count) resolve(answers);
    });
    for (let i = 0; i < count; i++) ws.send(JSON.stringify(frame(`r-${i}`)));
  });
}

function errorCodes(answers: Map<string, unknown>): number[] {
  return [...answers.values()].flatMap((answer) => {
    const code: unknown =
      typeof answer === 'object' && answer !== null ? Reflect.get(answer, 'ErrorCode') : undefined;
    return typeof code === 'number' ? [code] : [];
  });
}

describe('emulator bounds', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness({ maxTokens: 20, quotas: { enabled: true } });
  });
  after(() => harness.close());

  it('rate limits DELETE_MESSAGE over the socket at 100 TPS, as over HTTP', async () => {
    const roomArn = await createRoom(harness);
    const ws = await connect(harness, await token(harness, roomArn, ['DELETE_MESSAGE']));
    assert.ok(ws instanceof WebSocket);
    try {
      const answers = await burst(ws, 150, (RequestId) => ({
        Action: 'DELETE_MESSAGE',
        RequestId,
        Id: 'abcdEFGH1234',
        Reason: 'spam',
      }));
      const refused = errorCodes(answers).filter((code) => code === 429).length;
      // 100 in the bucket; what refills while the burst arrives is a few more.
      assert.ok(refused >= 20, `${refused} refused`);
    } finally {
      ws.close();
    }
  });

  it('rate limits DISCONNECT_USER over the socket at 100 TPS, as over HTTP', async () => {
    const roomArn = await createRoom(harness);
    const ws = await connect(harness, await token(harness, roomArn, ['DISCONNECT_USER']));
    assert.ok(ws instanceof WebSocket);
    try {
      const answers = await burst(ws, 150, (RequestId) => ({
        Action: 'DISCONNECT_USER',
        RequestId,
        UserId: 'nobody',
        Reason: 'spam',
      }));
      const refused = errorCodes(answers).filter((code) => code === 429).length;
      // 100 in the bucket; what refills while the burst arrives is a few more.
      assert.ok(refused >= 20, `${refused} refused`);
    } finally {
      ws.close();
    }
  });

  it('remembers a bounded number of tokens: the oldest is forgotten, the newest works', async () => {
    const roomArn = await createRoom(harness);
    const first = await token(harness, roomArn);
    for (let i = 0; i < 30; i++) await token(harness, roomArn);
    const newest = await token(harness, roomArn);

    const forgotten = await connect(harness, first);
    const fresh = await connect(harness, newest);

    assert.equal(forgotten, 401);
    assert.ok(fresh instanceof WebSocket);
    fresh.close();
  });
});

describe('emulator connection limit', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness({ quotas: { maxConnections: 4 } });
  });
  after(() => harness.close());

  it('refuses connections past the limit with 429 and keeps serving the open ones', async () => {
    const roomArn = await createRoom(harness);
    const open: WebSocket[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const ws = await connect(harness, await token(harness, roomArn));
        assert.ok(ws instanceof WebSocket);
        open.push(ws);
      }
      const refused = await connect(harness, await token(harness, roomArn));
      assert.equal(refused, 429);
      const still = open[0];
      assert.ok(still);
      assert.equal(still.readyState, WebSocket.OPEN);
    } finally {
      for (const ws of open) ws.close();
    }
  });
});

describe('TokenRegistry', () => {
  it('does not spend a token that cannot be used (its room is missing)', () => {
    const registry = new TokenRegistry();
    const now = Date.now();
    const { token: issued } = registry.issue(
      { roomId: 'r', userId: 'u', capabilities: [], attributes: {}, sessionExpiresAt: now + 60_000 },
      now,
    );

    const refused = registry.redeem(issued, now, () => false);
    const later = registry.redeem(issued, now);

    assert.deepEqual(refused, { ok: false, problem: 'unusable' });
    assert.equal(later.ok, true);
  });
});
