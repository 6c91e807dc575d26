/**
 * `npm run bench:emulator`: fan-out of the local IVS Chat emulator beside a bare `ws` broadcast
 * server, measured in the same run on the same machine with the same clients.
 *
 * - N = 100, 1,000 and 2,000 clients in one room; one of them sends at the room's maximum rate
 *   (maximumMessageRatePerSecond = 100) for a few seconds; every client (the sender included)
 *   receives every message.
 * - Clients are lean WebSocket clients speaking the IVS messaging protocol (SEND_MESSAGE out, MESSAGE in),
 *   not amazon-ivs-chat-messaging: one SDK instance per client would measure the SDK. They run in
 *   their own process; each server runs alone in another process, started and stopped the same way.
 * - The bare server parses each SEND_MESSAGE, builds one MESSAGE frame of the same shape and sends
 *   it to every socket: the floor any broadcast costs. The emulator adds tokens, capabilities,
 *   length and rate checks, and (last row) the message-review bundle in its worker thread.
 * - Figures: deliveries per second (messages received by all clients / time from the first measured
 *   send to the last delivery) and send-to-receive latency p50/p99, both clocks in the client process,
 *   after a warm-up second whose p99 is shown apart; and each process's CPU over the measured window,
 *   so a reader can tell whether a server or the machine (2 cores shared by server and clients) is
 *   what limits the tail.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CreateChatTokenCommand, CreateRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { WebSocket, WebSocketServer } from 'ws';
import { createLogger } from '../../shared/logger.js';
import { QUOTAS_OFF, startEmulator } from '../../services/local-ivschat/start.js';
import { percentile } from './stats.js';

/** Client counts, each with how many interleaved repetitions to take the median of (bounded time). */
const SIZES = [
  { clients: 100, reps: 3 },
  { clients: 1000, reps: 3 },
  { clients: 2000, reps: 1 },
] as const;
const RATE = 100;
const SEND_SECONDS = 2;
/**
 * Sent first, on the same schedule, and not in the figures: the first few hundred milliseconds after
 * N sockets connect are the JIT warming the broadcast path on both servers (and the clients' parser),
 * when every message's fan-out runs late. Their p99 is printed in its own column.
 */
const WARMUP_SECONDS = 1;
const DRAIN_MS = 3000;
/** Ordinary chat text (a run of one character would be denied by the review bundle's flood rule). */
const CONTENT = 'Great stream today, the second half was even better than the first one. See you next week!';

const SERVER_KINDS = ['bare', 'emulator', 'emulator+review'] as const;
type ServerKind = (typeof SERVER_KINDS)[number];

interface ClientJob {
  readonly wsUrl: string;
  readonly tokens: readonly string[];
  /** Messages sent first and measured apart (indices 0 … warmup − 1). */
  readonly warmup: number;
  /** Measured messages, sent right after the warm-up ones. */
  readonly messages: number;
}

interface ClientResult {
  readonly delivered: number;
  readonly expected: number;
  readonly seconds: number;
  readonly p50: number | null;
  readonly p99: number | null;
  /** p99 over the warm-up messages' deliveries. */
  readonly warmupP99: number | null;
  readonly refused: number;
  readonly connectSeconds: number;
  /** CPU time of the clients' process from the first send to the last delivery, in seconds. */
  readonly clientCpuSeconds: number;
  /** CPU time of the server's process over the same window (filled in by the parent). */
  readonly serverCpuSeconds?: number;
}

const role = process.argv.find((arg) => arg.startsWith('--role='))?.slice(7);

function send(message: unknown): void {
  process.send?.(message);
}

/** CPU time used so far by this process, in seconds, sent to the parent. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function reportCpu(): void {
  send({ cpuSeconds: cpuSeconds() });
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
    process.on('message', (message) => {
      if (message === 'cpu') {
        reportCpu();
        return;
      }
      for (const client of wss.clients) client.terminate();
      server.close(() => process.exit(0));
    });
    return;
  }
  // Fan-out is measured, not IVS's quotas (up to 2,000 tokens are minted back to back): quotas off.
  const emulator = await startEmulator({ logger: createLogger({ level: 'silent' }), quotas: QUOTAS_OFF });
  send({ wsUrl: emulator.wsUrl, url: emulator.url });
  process.on('message', (message) => {
    if (message === 'cpu') {
      reportCpu();
      return;
    }
    void emulator.close().then(() => process.exit(0));
  });
}

/** No deliveries, no figure: a table shows "-" rather than NaN. */
const orNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

/**
 * A lean WebSocket client: the RFC 6455 handshake with the token as subprotocol, masked text frames
 * out, and the received byte stream scanned for MESSAGE frames' RequestIds without decoding each
 * frame into an object. One process can then follow thousands of sockets, so the figures measure the
 * servers rather than the clients. Both servers get exactly these clients.
 */
interface RawClient {
  readonly socket: Socket;
  send(text: string): void;
}

function openRaw(url: string, token: string, onData: (chunk: Buffer) => void): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.setNoDelay(true);
    const key = randomBytes(16).toString('base64');
    socket.once('error', reject);
    socket.write(
      `GET / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${token}\r\n\r\n`,
    );
    let head = Buffer.alloc(0);
    const onHandshake = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onHandshake);
      if (!head.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) {
        socket.destroy();
        reject(new Error(`upgrade refused: ${head.subarray(0, head.indexOf('\r\n')).toString('latin1')}`));
        return;
      }
      socket.on('data', onData);
      const rest = head.subarray(end + 4);
      if (rest.length > 0) onData(rest);
      resolve({
        socket,
        send: (text) => {
          const payload = Buffer.from(text);
          const mask = randomBytes(4);
          const header =
            payload.length < 126
              ? Buffer.from([0x81, 0x80 | payload.length])
              : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
          for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
          socket.write(Buffer.concat([header, mask, payload]));
        },
      });
    };
    socket.on('data', onHandshake);
  });
}

const REQUEST_MARKER = Buffer.from('"RequestId":"b');
const MESSAGE_START = Buffer.from('{"Type":"MESSAGE"');
const ERROR_START = Buffer.from('{"Type":"ERROR"');

/** The client process: connects everyone, sends at RATE, records every delivery. */
async function clientsRole(job: ClientJob): Promise<ClientResult> {
  const total = job.warmup + job.messages;
  const sentAt = new Float64Array(total).fill(NaN);
  const expected = job.messages * job.tokens.length;
  const latencies = new Float64Array(expected);
  const warmupLatencies = new Float64Array(job.warmup * job.tokens.length);
  let warmupDelivered = 0;
  let delivered = 0;
  let refused = 0;
  let lastDelivery = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  /** One server frame's payload (text, unmasked): a MESSAGE's RequestId "b<i>" or an ERROR. */
  const onFrame = (data: Buffer, start: number, end: number, now: number): void => {
    if (data.indexOf(MESSAGE_START, start) === start) {
      const at = data.indexOf(REQUEST_MARKER, start);
      if (at < 0 || at >= end) return;
      let index = 0;
      for (let pos = at + REQUEST_MARKER.length; pos < end; pos++) {
        const byte = data[pos] ?? 0;
        if (byte < 48 || byte > 57) break;
        index = index * 10 + byte - 48;
      }
      const latency = now - (sentAt[index] ?? now);
      if (index < job.warmup) {
        warmupLatencies[warmupDelivered++] = latency;
        return;
      }
      latencies[delivered++] = latency;
      lastDelivery = now;
      if (delivered === expected) done();
    } else if (data.indexOf(ERROR_START, start) === start) {
      refused++;
    }
  };
  /**
   * A frame parser per socket (RFC 6455 §5.2; server frames are unmasked). A chunk almost always holds
   * whole frames and is read in place; only a frame cut by a chunk boundary is copied and completed.
   */
  const scanner = (): ((chunk: Buffer) => void) => {
    let pending: Buffer | undefined;
    return (chunk) => {
      const now = performance.now();
      const data = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = undefined;
      let offset = 0;
      while (offset < data.length) {
        if (data.length - offset < 2) break;
        const short = (data[offset + 1] ?? 0) & 0x7f;
        let header = 2;
        let length = short;
        if (short === 126) {
          header = 4;
          if (data.length - offset < header) break;
          length = data.readUInt16BE(offset + 2);
        } else if (short === 127) {
          header = 10;
          if (data.length - offset < header) break;
          length = Number(data.readBigUInt64BE(offset + 2));
        }
        if (data.length - offset < header + length) break;
        onFrame(data, offset + header, offset + header + length, now);
        offset += header + length;
      }
      if (offset < data.length) pending = Buffer.from(data.subarray(offset));
    };
  };
  const connectStart = performance.now();
  const clients: RawClient[] = [];
  for (let i = 0; i < job.tokens.length; i += 100) {
    const batch = job.tokens.slice(i, i + 100).map((token) => openRaw(job.wsUrl, token, scanner()));
    clients.push(...(await Promise.all(batch)));
  }
  const connectSeconds = (performance.now() - connectStart) / 1000;
  const sender = clients[0];
  let cpuAtFirstSend = Number.NaN;
  let firstSend = Number.NaN;
  const scheduleStart = performance.now();
  for (let i = 0; i < total; i++) {
    // A fixed schedule (message i at i × 10 ms), so late timers do not lower the rate.
    const wait = scheduleStart + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (i === job.warmup) {
      // The measured window begins; the parent reads the server's CPU at this mark and at the end.
      send({ window: 'start' });
      cpuAtFirstSend = cpuSeconds();
      firstSend = performance.now();
    }
    sentAt[i] = performance.now();
    sender?.send(`{"Action":"SEND_MESSAGE","RequestId":"b${i}","Content":"${CONTENT}"}`);
  }
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, DRAIN_MS))]);
  const clientCpuSeconds = cpuSeconds() - cpuAtFirstSend;
  send({ window: 'end' });
  for (const client of clients) client.socket.destroy();
  const measured = latencies.subarray(0, delivered).sort();
  return {
    delivered,
    expected,
    seconds: (lastDelivery - firstSend) / 1000,
    p50: orNull(percentile(measured, 0.5)),
    p99: orNull(percentile(measured, 0.99)),
    warmupP99: orNull(percentile(warmupLatencies.subarray(0, warmupDelivered).sort(), 0.99)),
    refused,
    connectSeconds,
    clientCpuSeconds,
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
    // The clients' process marks the window's start and end; the server's CPU is read at each mark
    // (the end is read after the last delivery, so it includes a little idle time: an upper bound).
    const serverCpu: Promise<number>[] = [];
    const result = new Promise<ClientResult>((resolve, reject) => {
      runner.on('message', (message: { window: string } | ClientResult) => {
        if (!('window' in message)) {
          resolve(message);
          return;
        }
        serverCpu.push(firstMessage<{ cpuSeconds: number }>(server).then((m) => m.cpuSeconds));
        server.send('cpu');
      });
      runner.once('exit', (code) => {
        reject(new Error(`clients exited with ${String(code)}`));
      });
    });
    const job: ClientJob = { wsUrl, tokens, warmup: RATE * WARMUP_SECONDS, messages: RATE * SEND_SECONDS };
    runner.send(job);
    const clientResult = await result;
    const [start = Number.NaN, end = Number.NaN] = await Promise.all(serverCpu);
    return { ...clientResult, serverCpuSeconds: end - start };
  } finally {
    server.send('stop');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

interface Summary {
  readonly delivered: number;
  readonly expected: number;
  readonly perSecond: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly warmupP99: number | null;
  readonly refused: number;
  /** Busy share of one core over the window, medians: the server's process and the clients'. */
  readonly serverCpu: number;
  readonly clientCpu: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

function medianOrNull(values: readonly (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : median(known);
}

/** Medians over the repetitions; counts are totals. */
function summarise(runs: readonly ClientResult[]): Summary {
  return {
    delivered: runs.reduce((sum, run) => sum + run.delivered, 0),
    expected: runs.reduce((sum, run) => sum + run.expected, 0),
    perSecond: median(runs.map((run) => (run.delivered === 0 ? 0 : run.delivered / run.seconds))),
    p50: medianOrNull(runs.map((run) => run.p50)),
    p99: medianOrNull(runs.map((run) => run.p99)),
    warmupP99: medianOrNull(runs.map((run) => run.warmupP99)),
    refused: runs.reduce((sum, run) => sum + run.refused, 0),
    serverCpu: median(runs.map((run) => (run.serverCpuSeconds ?? Number.NaN) / run.seconds)),
    clientCpu: median(runs.map((run) => run.clientCpuSeconds / run.seconds)),
  };
}

function row(label: string, clients: number, reps: number, result: Summary, bare?: Summary): string {
  const ratio = bare ? `${((100 * result.perSecond) / bare.perSecond).toFixed(0)} %` : '';
  return [
    label.padEnd(18),
    String(clients).padStart(6),
    String(reps).padStart(5),
    `${result.delivered}/${result.expected}`.padStart(16),
    Math.round(result.perSecond).toLocaleString('en-US').padStart(10),
    ratio.padStart(8),
    (result.p50?.toFixed(1) ?? '-').padStart(8),
    (result.p99?.toFixed(1) ?? '-').padStart(8),
    (result.warmupP99?.toFixed(1) ?? '-').padStart(11),
    String(result.refused).padStart(8),
    `${(100 * result.serverCpu).toFixed(0)} %`.padStart(11),
    `${(100 * result.clientCpu).toFixed(0)} %`.padStart(12),
  ].join(' ');
}

async function main(): Promise<void> {
  console.log(
    `Fan-out: one sender at ${RATE} msg/s (the room's maximum) for ${WARMUP_SECONDS} s of warm-up, then ${SEND_SECONDS} s measured; every client receives every message.`,
  );
  console.log(
    'Clients: lean WebSocket clients (RFC 6455 over net sockets) speaking the IVS protocol, in their own process (not one SDK per client).',
  );
  console.log(
    'Servers: each alone in its own process. Repetitions interleave bare and emulator; figures are medians.\n',
  );
  console.log(
    [
      'server'.padEnd(18),
      'N'.padStart(6),
      'reps'.padStart(5),
      'delivered'.padStart(16),
      'deliv/s'.padStart(10),
      'vs bare'.padStart(8),
      'p50 ms'.padStart(8),
      'p99 ms'.padStart(8),
      'warm-up p99'.padStart(11),
      'refused'.padStart(8),
      'server CPU'.padStart(11),
      'clients CPU'.padStart(12),
    ].join(' '),
  );
  // BENCH_SIZES=2000 (comma-separated) re-measures chosen sizes only.
  const only = (process.env.BENCH_SIZES ?? '')
    .split(',')
    .filter((text) => text !== '')
    .map(Number);
  for (const { clients, reps } of SIZES.filter((size) => only.length === 0 || only.includes(size.clients))) {
    const bareRuns: ClientResult[] = [];
    const emulatorRuns: ClientResult[] = [];
    for (let rep = 0; rep < reps; rep++) {
      bareRuns.push(await measure('bare', clients));
      emulatorRuns.push(await measure('emulator', clients));
    }
    const bare = summarise(bareRuns);
    console.log(row('bare ws broadcast', clients, reps, bare));
    console.log(row('emulator', clients, reps, summarise(emulatorRuns), bare));
    if (clients === 1000) {
      const reviewed = summarise([await measure('emulator+review', clients)]);
      console.log(row('emulator + review', clients, 1, reviewed, bare));
    }
  }
  console.log(`\nOffered load: ${RATE} × N deliveries per second; a server that keeps up shows about that.`);
  console.log("refused: ERROR frames the sender got (429 past the room's rate).");
  console.log(
    'CPU: busy share of one core from the first send to the last delivery (the machine has ' +
      `${String(availableParallelism())}); server and clients together near that many cores means the machine, not the server, sets p99.`,
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
