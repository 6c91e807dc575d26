/**
 * Test helpers: a real emulator on 127.0.0.1:0, the real @aws-sdk/client-ivschat pointed at it, and
 * real amazon-ivs-chat-messaging ChatRooms (Node 20 has no global WebSocket: `ws` provides it).
 */
import { join as joinPath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import {
  CreateChatTokenCommand,
  CreateRoomCommand,
  IvschatClient,
  type CreateRoomCommandInput,
} from '@aws-sdk/client-ivschat';
import { ChatRoom, type ChatError, type ChatRoomListenerMap } from 'amazon-ivs-chat-messaging';
import assert from 'node:assert/strict';
import type { ChatTokenCapability } from '../../../shared/ivs/limits.js';
import { createLogger } from '../../../shared/logger.js';
import {
  QUOTAS_OFF,
  startEmulator,
  type Emulator,
  type EmulatorOptions,
} from '../../../services/local-ivschat/start.js';

Object.assign(globalThis, { WebSocket });

export const FIXTURES = joinPath(
  fileURLToPath(new URL('.', import.meta.url)),
  '../../fixtures/local-ivschat',
);
export const fixtureFunction = (name: string): string => joinPath(FIXTURES, 'functions', name);

export const quietLogger = createLogger({ level: 'silent' });

export interface Harness {
  readonly emulator: Emulator;
  readonly client: IvschatClient;
  close(): Promise<void>;
}

/**
 * A real emulator and a real SDK client (no retries). IVS's quotas are off unless the test passes
 * `quotas`: most tests here are about other behaviour and make rooms faster than IVS's 5 a second;
 * quotas-api.test.ts and bounds.test.ts turn them on to test them.
 */
export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const emulator = await startEmulator({ logger: quietLogger, quotas: QUOTAS_OFF, ...options });
  const client = new IvschatClient({
    endpoint: emulator.url,
    region: emulator.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    emulator,
    client,
    close: async () => {
      client.destroy();
      await emulator.close();
    },
  };
}

export function lambdaArn(harness: Harness, name: string): string {
  return `arn:aws:lambda:${harness.emulator.region}:${harness.emulator.accountId}:function:${name}`;
}

export async function createRoom(harness: Harness, input: CreateRoomCommandInput = {}): Promise<string> {
  const room = await harness.client.send(new CreateRoomCommand(input));
  if (room.arn === undefined) throw new Error('CreateRoom returned no arn');
  return room.arn;
}

export interface JoinOptions {
  readonly userId: string;
  readonly capabilities?: ChatTokenCapability[];
  readonly attributes?: Record<string, string>;
  readonly sessionDurationInMinutes?: number;
  /**
   * Hand tokenExpirationTime to the SDK (default true). SDK 1.1.1 schedules a connection refresh from
   * it and does not clear that timer when it reconnects after ERROR 401, so a test of that path
   * leaves it out to let the test process exit promptly.
   */
  readonly passTokenExpiration?: boolean;
}

const silent = { debug: () => undefined, info: () => undefined, error: () => undefined };

/** A ChatRoom whose tokenProvider calls CreateChatToken each time, counting the calls. */
export function chatRoom(
  harness: Harness,
  roomArn: string,
  options: JoinOptions,
): { room: ChatRoom; tokenCalls: () => number } {
  let calls = 0;
  const room = new ChatRoom({
    regionOrUrl: harness.emulator.wsUrl,
    maxReconnectAttempts: 1,
    tokenProvider: async () => {
      calls++;
      const token = await harness.client.send(
        new CreateChatTokenCommand({
          roomIdentifier: roomArn,
          userId: options.userId,
          capabilities: options.capabilities ?? ['SEND_MESSAGE'],
          ...(options.attributes ? { attributes: options.attributes } : {}),
          ...(options.sessionDurationInMinutes
            ? { sessionDurationInMinutes: options.sessionDurationInMinutes }
            : {}),
        }),
      );
      return {
        token: token.token ?? '',
        ...(token.sessionExpirationTime ? { sessionExpirationTime: token.sessionExpirationTime } : {}),
        ...(token.tokenExpirationTime && options.passTokenExpiration !== false
          ? { tokenExpirationTime: token.tokenExpirationTime }
          : {}),
      };
    },
  });
  room.logger = silent;
  room.logLevel = 'error';
  return { room, tokenCalls: () => calls };
}

/** Resolves with the next emission of a ChatRoom event, or fails after a generous wait. */
export function next<K extends keyof ChatRoomListenerMap>(
  room: ChatRoom,
  name: K,
  timeoutMs = 10_000,
): Promise<Parameters<ChatRoomListenerMap[K]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      remove();
      reject(new Error(`no "${name}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = ((value: Parameters<ChatRoomListenerMap[K]>[0]) => {
      clearTimeout(timer);
      remove();
      resolve(value);
    }) as ChatRoomListenerMap[K];
    const remove = room.addListener(name, listener);
  });
}

/** Connects a ChatRoom and waits until it is connected. */
export async function join(harness: Harness, roomArn: string, options: JoinOptions): Promise<ChatRoom> {
  const { room } = chatRoom(harness, roomArn, options);
  const connected = next(room, 'connect');
  room.connect();
  await connected;
  return room;
}

function isChatError(value: unknown): value is ChatError {
  return typeof value === 'object' && value !== null && 'errorCode' in value && 'errorMessage' in value;
}

/** The ChatError a request is refused with; fails the test if the request succeeds. */
export async function refusal(promise: Promise<unknown>): Promise<ChatError> {
  try {
    await promise;
  } catch (error) {
    if (isChatError(error)) return error;
    throw error;
  }
  assert.fail('expected the request to be refused');
}
