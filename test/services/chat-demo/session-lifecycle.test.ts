import { after, afterEach, before, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { ChatRoom, type ChatLogger } from 'amazon-ivs-chat-messaging';
import {
  MAX_TIMER_MS,
  later,
  renewConnection,
  timerDelay,
  type SessionClock,
} from '../../../services/chat-demo/src/session-lifecycle.js';

// Node 20 has no global WebSocket; the SDK opens its sockets with the global one.
Object.assign(globalThis, { WebSocket });

const silent: ChatLogger = { debug: () => undefined, info: () => undefined, error: () => undefined };

describe('timerDelay', () => {
  it('fires at once for a time already past', () => {
    assert.equal(timerDelay(-5_000), 0);
  });

  it('keeps a delay setTimeout can hold, and caps one it cannot (it would fire at once)', () => {
    assert.equal(timerDelay(15_000), 15_000);
    const aYear = 365 * 24 * 60 * 60 * 1000;
    assert.equal(timerDelay(aYear), MAX_TIMER_MS);
  });
});

describe('later', () => {
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
  });

  afterEach(() => {
    mock.timers.reset();
  });

  function session(): SessionClock {
    return { timers: new Set() };
  }

  it('runs the action after the delay while the session is still the open one, and forgets the timer', () => {
    const current = session();
    const state = { session: current };
    let ran = 0;

    later(state, current, 1_000, () => ran++);
    mock.timers.tick(999);
    const early = ran;
    mock.timers.tick(1);

    assert.equal(early, 0);
    assert.equal(ran, 1);
    assert.equal(current.timers.size, 0);
  });

  it('does nothing once another room was opened, or the user signed out', () => {
    const current = session();
    const state: { session: SessionClock | undefined } = { session: current };
    let ran = 0;

    later(state, current, 1_000, () => ran++);
    state.session = session();
    later(state, current, 2_000, () => ran++);
    state.session = undefined;
    mock.timers.tick(2_000);

    assert.equal(ran, 0);
  });

  it('keeps pending timers where leaving the room can clear them', () => {
    const current = session();

    later({ session: current }, current, 1_000, () => undefined);

    assert.equal(current.timers.size, 1);
  });
});

describe('renewConnection', () => {
  let sockets: WebSocketServer;
  let url = '';

  before(async () => {
    // A chat endpoint that accepts every connection: the SDK only needs the socket to open.
    sockets = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => sockets.once('listening', resolve));
    url = `ws://127.0.0.1:${(sockets.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const client of sockets.clients) {
      client.terminate();
    }
    await new Promise<void>((resolve) => {
      sockets.close(() => {
        resolve();
      });
    });
  });

  function roomSession(): { current: SessionClock & { room: ChatRoom }; tokens: () => number } {
    let tokens = 0;
    const room = new ChatRoom({
      regionOrUrl: url,
      tokenProvider: () => {
        tokens++;
        return Promise.resolve({ token: `token-${tokens}` });
      },
    });
    room.logLevel = 'error';
    room.logger = silent;
    return { current: { room, timers: new Set() }, tokens: () => tokens };
  }

  /** The room's next `connect`; fails after 10 s (generous, for a loaded machine) rather than hang. */
  function nextConnect(room: ChatRoom): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no connect within 10 s (room ${room.state})`));
      }, 10_000);
      const stop = room.addListener('connect', () => {
        clearTimeout(timer);
        stop();
        resolve();
      });
    });
  }

  it('closes an open connection and opens a new one with a new token', async () => {
    // Prepare
    const { current, tokens } = roomSession();
    const state = { session: current };
    const first = nextConnect(current.room);
    current.room.connect();
    await first;
    const disconnects: string[] = [];
    current.room.addListener('disconnect', (reason) => disconnects.push(reason));

    // Act
    const renewed = nextConnect(current.room);
    renewConnection(state, current);
    await renewed;

    // Assess: one client disconnect in between, and the second connection is the one left open.
    assert.equal(tokens(), 2);
    assert.deepEqual(disconnects, ['clientDisconnect']);
    assert.equal(current.room.state, 'connected');
    current.room.disconnect();
  });

  it('connects at once when the room is already disconnected', async () => {
    const { current, tokens } = roomSession();

    const connected = nextConnect(current.room);
    renewConnection({ session: current }, current);
    await connected;

    assert.equal(tokens(), 1);
    assert.equal(current.room.state, 'connected');
    current.room.disconnect();
  });

  it('does not reconnect a room that was left while it was closing', async () => {
    const { current, tokens } = roomSession();
    const state: { session: typeof current | undefined } = { session: current };
    const first = nextConnect(current.room);
    current.room.connect();
    await first;

    renewConnection(state, current);
    // Left before the deferred connect runs (another room opened, or signed out).
    state.session = undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));

    assert.equal(tokens(), 1);
    assert.equal(current.room.state, 'disconnected');
  });
});
