/**
 * The local stack as `npm start` runs it (token service, dynalite, the emulator running the built
 * review and history Lambdas), quiet and on free ports, and clients that get their chat tokens from
 * the service after a dev login: what a frontend does.
 */
import { WebSocket } from 'ws';
import { ChatRoom, type ChatMessage } from 'amazon-ivs-chat-messaging';
import { createLogger } from '../../../../shared/logger.js';
import { startLocalStack, type LocalStack } from '../../../../scripts/start.js';
import { at } from './http.js';
import { call } from './stack.js';
import { next } from '../../local-ivschat/helpers.js';
import { REVIEW_BUDGET_UNDER_LOAD_MS } from '../../../support/review-budget.js';

Object.assign(globalThis, { WebSocket });

export function startQuietLocalStack(): Promise<LocalStack> {
  return startLocalStack({
    // REVIEW_BUDGET_MS: a budget that allows for load (review-budget.ts), under the emulator's 5 s below.
    env: {
      CHAT_BACKEND: 'local',
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_MAX: '0',
      REVIEW_BUDGET_MS: REVIEW_BUDGET_UNDER_LOAD_MS,
    },
    port: 0,
    emulatorPort: 0,
    dynamodbPort: 0,
    logger: createLogger({ level: 'silent' }),
    // The real bundles answer in a few ms; a generous deadline keeps a loaded machine from flaking.
    reviewDeadlineMs: 5000,
  });
}

/** An app JWT from the stack's dev login. */
export async function devLogin(
  stack: LocalStack,
  userId: string,
  roles: readonly string[] = [],
): Promise<string> {
  const res = await call(stack.tokenServiceUrl, 'POST', '/v1/dev/login', { body: { userId, roles } });
  return String(at(res.body, 'idToken'));
}

export interface ChatClient {
  readonly room: ChatRoom;
  /** Every MESSAGE this client received. */
  readonly received: ChatMessage[];
  /** Every token response it was given. */
  readonly tokens: Record<string, unknown>[];
}

/** A ChatRoom whose tokens come from the service (a refused token fails the connect), connected. */
export async function connectThroughService(
  stack: LocalStack,
  idToken: string,
  roomArn: string,
): Promise<ChatClient> {
  const received: ChatMessage[] = [];
  const tokens: Record<string, unknown>[] = [];
  const room = new ChatRoom({
    regionOrUrl: stack.emulator?.wsUrl ?? '',
    maxReconnectAttempts: 0,
    tokenProvider: async () => {
      const res = await call(stack.tokenServiceUrl, 'POST', '/v1/chat-tokens', {
        jwt: idToken,
        body: { roomIdentifier: roomArn },
      });
      if (res.status !== 200) throw new Error(`token refused: ${res.status}`);
      tokens.push(res.body as Record<string, unknown>);
      return { token: String(at(res.body, 'token')) };
    },
  });
  room.logLevel = 'error';
  room.addListener('message', (message) => received.push(message));
  const connected = next(room, 'connect');
  room.connect();
  await connected;
  return { room, received, tokens };
}
