/**
 * Bad input at volume for the emulator's messaging side: while two well-behaved clients chat, others
 * open connections with no token or forged ones, and clients with valid tokens send frames that are
 * not JSON, binary, invalid UTF-8, oversized, or not chat requests at all. The emulator must refuse
 * or close those, and keep delivering every message of the well-behaved pair.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateChatTokenCommand,
  CreateRoomCommand,
  GetRoomCommand,
  IvschatClient,
} from '@aws-sdk/client-ivschat';
import { WebSocket } from 'ws';
import { createLogger } from '../../shared/logger.js';
import { startEmulator, type Emulator } from '../../services/local-ivschat/start.js';
import { bounded, report } from './support/stack.js';
import { seeded } from './support/random.js';

const BAD_CONNECTIONS = 300;
const GARBAGE_CLIENTS = 30;
const GARBAGE_FRAMES = 40;
const CHAT_MESSAGES = 40;

let emulator: Emulator;
let ivs: IvschatClient;
let roomArn = '';
before(async () => {
  emulator = await startEmulator({ port: 0, host: '127.0.0.1', logger: createLogger({ level: 'silent' }) });
  ivs = new IvschatClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  roomArn =
    (await ivs.send(new CreateRoomCommand({ name: 'flood', maximumMessageRatePerSecond: 100 }))).arn ?? '';
});
after(async () => {
  ivs.destroy();
  await emulator.close();
});

async function token(userId: string): Promise<string> {
  const output = await ivs.send(
    new CreateChatTokenCommand({ roomIdentifier: roomArn, userId, capabilities: ['SEND_MESSAGE'] }),
  );
  return output.token ?? '';
}

function open(chatToken: string | undefined): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws =
      chatToken === undefined ? new WebSocket(emulator.wsUrl) : new WebSocket(emulator.wsUrl, chatToken);
    ws.once('open', () => {
      resolve(ws);
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => {
      resolve(-1);
    });
  });
}

describe('resilience: WebSocket floods at the emulator', () => {
  it(
    'keeps serving well-behaved clients through bad connections and bad frames',
    { timeout: 60_000 },
    async () => {
      // Prepare: the well-behaved pair.
      const alice = await open(await token('alice'));
      const bob = await open(await token('bob'));
      assert.ok(alice instanceof WebSocket && bob instanceof WebSocket);
      const received: string[] = [];
      bob.on('message', (data: Buffer) => {
        const frame: unknown = JSON.parse(data.toString('utf8'));
        if (typeof frame === 'object' && frame !== null && Reflect.get(frame, 'Type') === 'MESSAGE') {
          received.push(String(Reflect.get(frame, 'Content')));
        }
      });
      const chat = (async () => {
        for (let i = 0; i < CHAT_MESSAGES; i++) {
          alice.send(
            JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: `m-${i}`, Content: `message ${i}` }),
          );
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      })();

      // Act: bad connections, and bad frames from valid connections, while they chat.
      const random = seeded(5);
      const refusals = new Map<string, number>();
      const count = (label: string): void => {
        refusals.set(label, (refusals.get(label) ?? 0) + 1);
      };
      const badConnections = bounded(BAD_CONNECTIONS, 50, async (index) => {
        const forged = index % 3 === 0 ? undefined : index % 3 === 1 ? 'forged-token' : 'x'.repeat(100);
        const result = await open(forged);
        if (result instanceof WebSocket) {
          count('opened (unexpected)');
          result.terminate();
        } else count(`refused ${result}`);
      });
      const closes = new Map<string, number>();
      const garbage = bounded(GARBAGE_CLIENTS, 10, async (index) => {
        const ws = await open(await token(`noisy-${index}`));
        if (!(ws instanceof WebSocket)) return;
        const closed = new Promise<void>((resolve) => {
          ws.once('close', (code) => {
            closes.set(String(code), (closes.get(String(code)) ?? 0) + 1);
            resolve();
          });
        });
        for (let i = 0; i < GARBAGE_FRAMES && ws.readyState === WebSocket.OPEN; i++) {
          switch (random.int(0, 6)) {
            case 0:
              ws.send('not json {');
              break;
            case 1:
              ws.send(Buffer.from([0, 1, 2, 3]), { binary: true });
              break;
            case 2:
              // Invalid UTF-8 in a text frame: the protocol says close with 1007.
              ws.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
              break;
            case 3:
              ws.send('x'.repeat(200_000));
              break;
            case 4:
              ws.send(JSON.stringify({ Action: 'DELETE_EVERYTHING', RequestId: 'r' }));
              break;
            case 5:
              ws.send(JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: 'r'.repeat(200), Content: '' }));
              break;
            default:
              ws.send(JSON.stringify([1, 2, 3]));
          }
        }
        if (ws.readyState === WebSocket.OPEN) ws.close();
        await closed;
      });
      await Promise.all([badConnections, garbage, chat]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const room = await ivs.send(new GetRoomCommand({ identifier: roomArn }));
      alice.close();
      bob.close();

      // Assess
      report(
        `emulator: ${BAD_CONNECTIONS} bad connection attempts, ${GARBAGE_CLIENTS} clients sending ${GARBAGE_FRAMES} bad frames each, beside a chatting pair`,
        [
          `bad connections: ${[...refusals].map(([label, n]) => `${n}× ${label}`).join(', ')}`,
          `noisy clients' sockets closed with: ${[...closes].map(([code, n]) => `${n}× ${code}`).join(', ')}`,
          `well-behaved pair: ${received.length} of ${CHAT_MESSAGES} messages delivered; control plane still answers GetRoom: ${room.arn === roomArn}`,
        ],
      );
      assert.equal(refusals.get('opened (unexpected)') ?? 0, 0);
      assert.deepEqual(
        received,
        Array.from({ length: CHAT_MESSAGES }, (_, i) => `message ${i}`),
      );
      assert.equal(room.arn, roomArn);
    },
  );
});
