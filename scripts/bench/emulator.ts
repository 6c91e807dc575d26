/**
 * `npm run bench:emulator`: fan-out of the local IVS Chat emulator beside a bare `ws` broadcast
 * server, measured in the same run on the same machine with the same clients.
 *
 * - N = 100, 1,000 and 2,000 clients in one room; one of them sends at the room's maximum rate
 *   (maximumMessageRatePerSecond = 100) for a few seconds; every client (the sender included)
 *   receives every message.
 * - Clients are raw `ws` sockets speaking the IVS messaging protocol (SEND_MESSAGE out, MESSAGE in),
 *   not amazon-ivs-chat-messaging: one SDK instance per client would measure the SDK. They run in
 *   their own process; each server runs alone in another process, started and stopped the same way.
 * - The bare server parses each SEND_MESSAGE, builds one MESSAGE frame of the same shape and sends
 *   it to every socket: the floor any broadcast costs. The emulator adds tokens, capabilities,
 *   length and rate checks, and (last row) the message-review bundle in its worker thread.
 * - Figures: deliveries per second (messages received by all clients / time from the first send to
 *   the last delivery) and send-to-receive latency p50/p99, both clocks in the client process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CreateChatTokenCommand, CreateRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { WebSocket, WebSocketServer } from 'ws';
import { createLogger } from '../../shared/logger.js';
import { startEmulator } from '../../services/local-ivschat/start.js';

const SIZES = [100, 1000, 2000] as const;
const RATE = 100;
const SEND_SECONDS = 3;
const DRAIN_MS = 3000;
/** Ordinary chat text (a run of one character would be denied by the review bundle's flood rule). */
const CONTENT = 'Great stream today, the second half was even better than the first one. See you next week!';

const SERVER_KINDS = ['bare', 'emulator', 'emulator+review'] as const;
type ServerKind = (typeof SERVER_KINDS)[number];

interface ClientJob {
  readonly wsUrl: string;
  readonly tokens: readonly string[];
  readonly messages: number;
}

interface ClientResult {
  readonly delivered: number;
  readonly expected: number;
  readonly seconds: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly refused: number;
  readonly connectSeconds: number;
}

const role = process.argv.find((arg) => arg.startsWith('--role='))?.slice(7);

function send(message: unknown): void {
  process.send?.(message);
}

/** A child running one server until it is told to stop. */
async function serverRole(kind: ServerKind): Promise<void> {
  if (kind === 'bare') {
    const server = createServer();
    const wss = new WebSocketServer({ server, handleProtocols: (protocols) => [...protocols][0] ?? false });
    wss.on('connection', (socket) => {
      socket.on('message', (data: Buffer) => {
        const request: unknown = JSON.parse(data.toString('utf8'));
        if (typeof request !== 'object' || request === null) return;
        const frame = Buffer.from(
          JSON.stringify({
            Type: 'MESSAGE',
            Id: randomBytes(9).toString('base64url').slice(0, 12),
            RequestId: String(Reflect.get(request, 'RequestId')),
            Content: String(Reflect.get(request, 'Content')),
            Attributes: null,
            SendTime: new Date().toISOString(),
            Sender: { UserId: 'bench-0', Attributes: {} },
          }),
        );
        for (const client of wss.clients)
          if (client.readyState === WebSocket.OPEN) client.send(frame, { binary: false });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    send({ wsUrl: `ws://127.0.0.1:${port}`, url: `http://127.0.0.1:${port}` });
    process.on('message', () => {
      for (const client of wss.clients) client.terminate();
      server.close(() => process.exit(0));
    });
    return;
  }
  const emulator = await startEmulator({ logger: createLogger({ level: 'silent' }) });
  send({ wsUrl: emulator.wsUrl, url: emulator.url });
  process.on('message', () => {
    void emulator.close().then(() => process.exit(0));
  });
}

function percentile(sorted: Float64Array, p: number): number | null {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? null;
}

function open(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // Cheap clients for both servers alike: no compression, no UTF-8 validation of received frames.
    const socket = new WebSocket(url, token, { perMessageDeflate: false, skipUTF8Validation: true });
    socket.once('open', () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** The client process: connects everyone, sends at RATE, records every delivery. */
async function clientsRole(job: ClientJob): Promise<ClientResult> {
  const connectStart = performance.now();
  const sockets: WebSocket[] = [];
  for (let i = 0; i < job.tokens.length; i += 100) {
    sockets.push(...(await Promise.all(job.tokens.slice(i, i + 100).map((token) => open(job.wsUrl, token)))));
  }
  const connectSeconds = (performance.now() - connectStart) / 1000;
  const sentAt = new Float64Array(job.messages).fill(NaN);
  const expected = job.messages * sockets.length;
  const latencies = new Float64Array(expected);
  let delivered = 0;
  let refused = 0;
  let lastDelivery = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const marker = Buffer.from('"RequestId":"b');
  const errorPrefix = Buffer.from('{"Type":"ERROR"');
  for (const socket of sockets) {
    socket.on('message', (data: Buffer) => {
      const now = performance.now();
      // Read the RequestId's digits straight from the bytes: the client side should cost little.
      let at = data.indexOf(marker);
      if (at < 0) return;
      if (data.subarray(0, errorPrefix.length).equals(errorPrefix)) {
        refused++;
        return;
      }
      at += marker.length;
      let index = 0;
      for (let byte = data[at]; byte !== undefined && byte >= 48 && byte <= 57; byte = data[++at]) {
        index = index * 10 + byte - 48;
      }
      latencies[delivered++] = now - (sentAt[index] ?? now);
      lastDelivery = now;
      if (delivered === expected) done();
    });
  }
  const sender = sockets[0];
  const firstSend = performance.now();
  for (let i = 0; i < job.messages; i++) {
    // A fixed schedule (message i at i × 10 ms), so late timers do not lower the rate.
    const wait = firstSend + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sentAt[i] = performance.now();
    sender?.send(`{"Action":"SEND_MESSAGE","RequestId":"b${i}","Content":"${CONTENT}"}`);
  }
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, DRAIN_MS))]);
  for (const socket of sockets) socket.terminate();
  const measured = latencies.subarray(0, delivered).sort();
  return {
    delivered,
    expected,
    seconds: (lastDelivery - firstSend) / 1000,
    p50: percentile(measured, 50),
    p99: percentile(measured, 99),
    refused,
    connectSeconds,
  };
}

function child(args: string[]): ChildProcess {
  return fork(fileURLToPath(import.meta.url), args, {
    execArgv: ['--import', 'tsx'],
    // The review bundle logs one line per message at info; a bench measures fan-out, not stdout.
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function firstMessage<T>(proc: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    proc.once('message', (message) => {
      resolve(message as T);
    });
    proc.once('exit', (code) => {
      reject(new Error(`child exited with ${String(code)}`));
    });
  });
}

async function measure(kind: ServerKind, clients: number): Promise<ClientResult> {
  const server = child([`--role=server-${kind}`]);
  try {
    const { url, wsUrl } = await firstMessage<{ url: string; wsUrl: string }>(server);
    let tokens: string[] = Array.from({ length: clients }, (_, i) => `bench-${i}`);
    if (kind !== 'bare') {
      const ivs = new IvschatClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      });
      const room = await ivs.send(
        new CreateRoomCommand({
          maximumMessageRatePerSecond: RATE,
          ...(kind === 'emulator+review'
            ? {
                messageReviewHandler: {
                  uri: 'arn:aws:lambda:us-east-1:123456789012:function:message-review',
                },
              }
            : {}),
        }),
      );
      tokens = [];
      for (let i = 0; i < clients; i++) {
        const token = await ivs.send(
          new CreateChatTokenCommand({
            roomIdentifier: room.arn,
            userId: `bench-${i}`,
            capabilities: ['SEND_MESSAGE'],
          }),
        );
        tokens.push(token.token ?? '');
      }
      ivs.destroy();
    }
    const runner = child(['--role=clients']);
    const result = firstMessage<ClientResult>(runner);
    const job: ClientJob = { wsUrl, tokens, messages: RATE * SEND_SECONDS };
    runner.send(job);
    return await result;
  } finally {
    server.send('stop');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

function row(label: string, clients: number, result: ClientResult, bare?: ClientResult): string {
  const perSecond = result.delivered === 0 ? 0 : result.delivered / result.seconds;
  const ratio = bare ? `${((100 * perSecond) / (bare.delivered / bare.seconds)).toFixed(0)} %` : '';
  return [
    label.padEnd(18),
    String(clients).padStart(6),
    `${result.delivered}/${result.expected}`.padStart(14),
    Math.round(perSecond).toLocaleString('en-US').padStart(12),
    ratio.padStart(8),
    (result.p50?.toFixed(1) ?? '-').padStart(8),
    (result.p99?.toFixed(1) ?? '-').padStart(8),
    String(result.refused).padStart(6),
  ].join(' ');
}

async function main(): Promise<void> {
  console.log(
    `Fan-out: one sender at ${RATE} msg/s for ${SEND_SECONDS} s, every client receives every message.`,
  );
  console.log('Clients: raw ws sockets in a separate process (not one SDK per client). Latency in ms.\n');
  console.log(
    [
      'server'.padEnd(18),
      'N'.padStart(6),
      'delivered'.padStart(14),
      'deliv/s'.padStart(12),
      'vs bare'.padStart(8),
      'p50'.padStart(8),
      'p99'.padStart(8),
      '429s'.padStart(6),
    ].join(' '),
  );
  for (const clients of SIZES) {
    const bare = await measure('bare', clients);
    console.log(row('bare ws broadcast', clients, bare));
    const emulator = await measure('emulator', clients);
    console.log(row('emulator', clients, emulator, bare));
    if (clients === 1000) {
      const reviewed = await measure('emulator+review', clients);
      console.log(row('emulator + review', clients, reviewed, bare));
    }
  }
  console.log(
    `\nAt ${RATE} msg/s the offered load is ${RATE} × N deliveries per second; a server that keeps up shows about that.`,
  );
}

if (role === undefined) {
  await main();
} else if (role === 'clients') {
  process.once('message', (job: ClientJob) => {
    void clientsRole(job).then((result) => {
      send(result);
      process.exit(0);
    });
  });
} else {
  const kind = SERVER_KINDS.find((candidate) => `server-${candidate}` === role);
  if (kind === undefined) throw new Error(`unknown role ${role}`);
  await serverRole(kind);
}
