/**
 * `npm run bench:moderation`: how fast moderation takes effect on the local stack (`npm start`'s
 * parts, in this process), with amazon-ivs-chat-messaging clients getting tokens from the service.
 *
 * - ban: from sending PUT /v1/rooms/{id}/bans/{user} to the banned client's `disconnect` event,
 *   beside a bare DisconnectUser sent straight to the emulator through the SDK (the floor: what IVS
 *   itself takes to close a connection), 50 of each, in the same run;
 * - timeout: from sending PUT /v1/rooms/{id}/timeouts/{user} to the first send the review refuses
 *   (the client sends as soon as the PUT answers), beside an ordinary send's round trip (the floor:
 *   what any send through the review takes), 50 of each.
 * Goal: under 1 s at the max. Every loop is bounded (50 iterations, 10 s per wait).
 */
import { DisconnectUserCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { ChatRoom, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { WebSocket } from 'ws';
import { createLogger } from '../../shared/logger.js';
import { startLocalStack } from '../start.js';
import { percentile } from './stats.js';

Object.assign(globalThis, { WebSocket });
const RUNS = 50;

async function post(
  url: string,
  method: string,
  body?: unknown,
  jwt?: string,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(jwt === undefined ? {} : { authorization: `Bearer ${jwt}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

function field(value: unknown, key: string): string {
  return typeof value === 'object' && value !== null ? String(Reflect.get(value, key)) : '';
}

function waitFor(room: ChatRoom, event: 'connect' | 'disconnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no ${event} within 10 s`));
    }, 10_000);
    const remove = room.addListener(event, () => {
      clearTimeout(timer);
      remove();
      resolve();
    });
  });
}

function row(name: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = percentile(sorted, 0.5);
  const max = sorted.at(-1) ?? Number.NaN;
  return `| ${name.padEnd(52)} | ${String(values.length).padStart(4)} | ${median.toFixed(1).padStart(8)} | ${max.toFixed(1).padStart(8)} |`;
}

async function main(): Promise<void> {
  const stack = await startLocalStack({
    env: { ...process.env, CHAT_BACKEND: 'local', LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '0' },
    port: 0,
    emulatorPort: 0,
    dynamodbPort: 0,
    logger: createLogger({ level: 'silent' }),
  });
  const api = stack.tokenServiceUrl;
  const ivs = new IvschatClient({
    endpoint: stack.emulator?.url ?? '',
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const admin = field(
      (await post(`${api}/v1/dev/login`, 'POST', { userId: 'ann', roles: ['admin'] })).json,
      'idToken',
    );
    // The API allows up to 100 messages a second in a room (the default 10 would throttle the bench).
    const created = await post(
      `${api}/v1/rooms`,
      'POST',
      { name: 'bench-moderation', maximumMessageRatePerSecond: 100 },
      admin,
    );
    const roomId = field(created.json, 'id');
    const roomArn = field(created.json, 'arn');

    const connect = async (userId: string): Promise<ChatRoom> => {
      const jwt = field((await post(`${api}/v1/dev/login`, 'POST', { userId })).json, 'idToken');
      const room = new ChatRoom({
        regionOrUrl: stack.emulator?.wsUrl ?? '',
        maxReconnectAttempts: 0,
        tokenProvider: async () => ({
          token: field(
            (await post(`${api}/v1/chat-tokens`, 'POST', { roomIdentifier: roomArn }, jwt)).json,
            'token',
          ),
        }),
      });
      // The SDK logs every refusal to the console; the refusals are what is measured here.
      room.logger = { debug: () => undefined, info: () => undefined, error: () => undefined };
      const connected = waitFor(room, 'connect');
      room.connect();
      await connected;
      return room;
    };

    const ban: number[] = [];
    const bareDisconnect: number[] = [];
    const timeout: number[] = [];
    const send: number[] = [];
    console.log(`measuring ${RUNS} bans, ${RUNS} bare disconnects, ${RUNS} timeouts and ${RUNS} sends…`);
    for (let i = 0; i < RUNS; i++) {
      // Ban → close event.
      const banned = await connect(`banned-${i}`);
      const closed = waitFor(banned, 'disconnect');
      let started = performance.now();
      const answer = await post(
        `${api}/v1/rooms/${roomId}/bans/banned-${i}`,
        'PUT',
        { reason: 'bench' },
        admin,
      );
      if (answer.status !== 201) throw new Error(`ban answered ${answer.status}`);
      await closed;
      ban.push(performance.now() - started);

      // Bare DisconnectUser → close event (the floor).
      const plain = await connect(`plain-${i}`);
      const plainClosed = waitFor(plain, 'disconnect');
      started = performance.now();
      await ivs.send(
        new DisconnectUserCommand({ roomIdentifier: roomArn, userId: `plain-${i}`, reason: 'bench' }),
      );
      await plainClosed;
      bareDisconnect.push(performance.now() - started);

      // An ordinary send's round trip (the floor), then timeout → first refused send.
      const muted = await connect(`muted-${i}`);
      started = performance.now();
      await muted.sendMessage(new SendMessageRequest(`hello ${i}`));
      send.push(performance.now() - started);
      started = performance.now();
      const set = await post(
        `${api}/v1/rooms/${roomId}/timeouts/muted-${i}`,
        'PUT',
        { durationMinutes: 5 },
        admin,
      );
      if (set.status !== 201) throw new Error(`timeout answered ${set.status}`);
      let refused = false;
      for (let attempt = 0; attempt < 50 && !refused; attempt++) {
        try {
          await muted.sendMessage(new SendMessageRequest(`still ${i}`));
        } catch (error) {
          // 406: refused by the review (the timeout); anything else is a failure of the bench.
          if (field(error, 'errorCode') !== '406') throw error;
          refused = true;
        }
      }
      if (!refused) throw new Error('the timed-out client could still send');
      timeout.push(performance.now() - started);
      muted.disconnect();
    }
    console.log('');
    console.log('Moderation taking effect, local stack (ms, same run)');
    console.log('');
    console.log(`| ${'measure'.padEnd(52)} |    n |   median |      max |`);
    console.log(`| ${'-'.repeat(52)} | ---: | -------: | -------: |`);
    console.log(row('ban request → banned client closed', ban));
    console.log(row('bare DisconnectUser (SDK) → client closed', bareDisconnect));
    console.log(row('timeout request → first refused send', timeout));
    console.log(row('ordinary send round trip (through the review)', send));
    console.log('');
    const worst = Math.max(...ban, ...timeout);
    console.log(
      `goal: under 1000 ms at the max: ${worst < 1000 ? 'met' : 'NOT met'} (worst ${worst.toFixed(1)} ms)`,
    );
  } finally {
    ivs.destroy();
    await stack.close();
  }
}

await main();
