/**
 * The token path's work with no framework, for `npm run bench:token`: what POST /v1/chat-tokens must
 * do, written straight on node:http, so the service's cost per request can be set beside the cost of
 * the work itself.
 *
 * Per request, in the service's order and through the very clients the service builds (its IVS
 * client factory and createTableClient with the configuration loadConfig reads from the same
 * environment, so the same SDK middleware, keep-alive agents and per-call deadlines):
 * 1. RS256 verification with jsonwebtoken, the same key and the same options (algorithms, issuer,
 *    audience, clock tolerance); the key found by the token's kid through jsonwebtoken's key callback;
 * 2. the per-user token limit: one UpdateItem ADD on the rate-window item of the same key shape;
 * 3. the caller's standing: one strongly consistent BatchGetItem of the same five keys (room,
 *    membership, room ban, timeout, app ban), through the same shared/table/batch.ts the service uses;
 * 4. CreateChatToken and the session's conditional UpdateItem, side by side.
 * It answers the same JSON. What it leaves out is the framework: Express, helmet, CORS, request ids and
 * the access log, zod validation, the access model's rule table, problem+json, the request budget and
 * the logger. Its decisions are the minimum that keeps it honest (a ban or a private room refuses).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CreateChatTokenCommand } from '@aws-sdk/client-ivschat';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import { keys, ttlSeconds } from '../../shared/table/keys.js';
import { isRecord } from '../../shared/json.js';
import { batchGetItems, keyId } from '../../shared/table/batch.js';
import { createTableClient } from '../../shared/table/client.js';
import { ALLOWED_ALGORITHMS } from '../../services/token-vending/auth/verifier.js';
import { loadConfig } from '../../services/token-vending/config.js';
import { createIvsClient } from '../../services/token-vending/platform/ivs-client.js';

export interface ComparatorOptions {
  /** The environment the service was started with (the clients are built from it the same way). */
  readonly env: NodeJS.ProcessEnv;
  /** The identity provider's keys by kid (the service holds the same set, fetched from its JWKS). */
  readonly keys: ReadonlyMap<string, KeyObject>;
  readonly issuer: string;
  readonly audience: string;
}

export interface RunningComparator {
  readonly url: string;
  close(): Promise<void>;
}

/** The rate-limit store's key prefix and the key it counts a signed-in caller under (token-limit-store.ts). */
const RATE_KEY_PREFIX = 'tokens:sub:';
const KEEP_AFTER_WINDOW_MS = 60_000;
const SESSION_END_MARGIN_MS = 60_000;
const DEFAULT_SESSION_MINUTES = 60;
/** The service's default policy for a signed-in user without roles: role `user`, SEND_MESSAGE, 180 min. */
const USER_CAPABILITIES = ['SEND_MESSAGE'] as const;
const USER_MAX_SESSION_MINUTES = 180;

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function verify(token: string, options: ComparatorOptions): Promise<JwtPayload> {
  return new Promise((resolve, reject) => {
    jwt.verify(
      token,
      (header, callback) => {
        const key = header.kid === undefined ? undefined : options.keys.get(header.kid);
        if (key) callback(null, key);
        else callback(new Error('unknown kid'));
      },
      {
        algorithms: [...ALLOWED_ALGORITHMS],
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: 30,
        clockTimestamp: Math.floor(Date.now() / 1000),
      },
      (error, payload) => {
        if (error || typeof payload !== 'object') reject(new Refusal(401, 'invalid token'));
        else resolve(payload);
      },
    );
  });
}

function parseBody(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (isRecord(value)) return value;
  } catch {
    // answered below
  }
  throw new Refusal(400, 'body');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

export async function startTokenComparator(options: ComparatorOptions): Promise<RunningComparator> {
  const config = loadConfig(options.env);
  const ivs = createIvsClient(config.ivs);
  const region = await ivs.config.region();
  const table = { name: config.table.name, client: createTableClient({ ...config.table, region }) };
  const { max, windowMs } = config.rateLimit;

  const issue = async (req: IncomingMessage): Promise<unknown> => {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') === true ? header.slice('Bearer '.length) : undefined;
    const [body, claims] = await Promise.all([
      readBody(req),
      token === undefined ? Promise.reject(new Refusal(401, 'missing token')) : verify(token, options),
    ]);
    const sub = claims.sub;
    if (typeof sub !== 'string' || sub === '') throw new Refusal(401, 'no sub');
    const request = parseBody(body);
    const roomArn = request.roomIdentifier;
    if (typeof roomArn !== 'string') throw new Refusal(400, 'roomIdentifier');
    const asked =
      typeof request.sessionDurationInMinutes === 'number'
        ? request.sessionDurationInMinutes
        : DEFAULT_SESSION_MINUTES;

    // 2. The per-user token limit: one atomic ADD on this window's item.
    const now = Date.now();
    if (max > 0) {
      const start = Math.floor(now / windowMs) * windowMs;
      const counted = await table.client.send(
        new UpdateCommand({
          TableName: table.name,
          Key: keys.rateWindow(RATE_KEY_PREFIX + sub, start),
          UpdateExpression: 'ADD hits :delta SET #ttl = if_not_exists(#ttl, :ttl)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':delta': 1,
            ':ttl': ttlSeconds(start + windowMs + KEEP_AFTER_WINDOW_MS),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const hits: unknown = counted.Attributes?.hits;
      if (typeof hits === 'number' && hits > max) throw new Refusal(429, 'rate limited');
    }

    // 3. The caller's standing in the room: the same five keys, one strongly consistent read.
    const roomId = roomArn.slice(roomArn.lastIndexOf('/') + 1);
    const wanted = [
      keys.room(roomId),
      keys.member(roomId, sub),
      keys.roomBan(roomId, sub),
      keys.timeout(roomId, sub),
      keys.appBan(sub),
    ];
    const items = await batchGetItems(table, wanted);
    const found = (key: { pk: string; sk: string }): Record<string, unknown> | undefined =>
      items.get(keyId(key.pk, key.sk));
    const [roomKey, memberKey, banKey, timeoutKey, appBanKey] = wanted;
    const room = roomKey && found(roomKey);
    if (room?.privacy === 'private' && room.ownerId !== sub && !(memberKey && found(memberKey))) {
      throw new Refusal(403, 'not a member');
    }
    if ([banKey, appBanKey].some((key) => key !== undefined && found(key) !== undefined)) {
      throw new Refusal(403, 'banned');
    }
    const timedOut = timeoutKey !== undefined && found(timeoutKey) !== undefined;
    const capabilities = timedOut ? [] : [...USER_CAPABILITIES];
    const minutes = Math.min(asked, USER_MAX_SESSION_MINUTES);
    const displayName = typeof claims.name === 'string' ? claims.name.slice(0, 64) : sub;

    // 4. The token and the session's record, side by side.
    const sessionEnds = new Date(now + minutes * 60_000 + SESSION_END_MARGIN_MS);
    const until = sessionEnds.toISOString();
    const [created] = await Promise.all([
      ivs.send(
        new CreateChatTokenCommand({
          roomIdentifier: roomArn,
          userId: sub,
          capabilities,
          sessionDurationInMinutes: minutes,
          attributes: { role: 'user', displayName },
        }),
      ),
      table.client
        .send(
          new UpdateCommand({
            TableName: table.name,
            Key: keys.session(sub, roomArn),
            UpdateExpression: 'SET kind = :kind, roomArn = :arn, #until = :until, #ttl = :ttl',
            ConditionExpression: 'attribute_not_exists(#until) OR #until < :until',
            ExpressionAttributeNames: { '#until': 'until', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':kind': 'session',
              ':arn': roomArn,
              ':until': until,
              ':ttl': ttlSeconds(sessionEnds.getTime()),
            },
          }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
        }),
    ]);
    return {
      token: created.token,
      tokenExpirationTime: created.tokenExpirationTime?.toISOString(),
      sessionExpirationTime: created.sessionExpirationTime?.toISOString(),
      userId: sub,
      capabilities,
    };
  };

  const answer = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res
      .writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        'cache-control': 'no-store',
      })
      .end(text);
  };
  const server: Server = createServer((req, res) => {
    issue(req).then(
      (body) => {
        answer(res, 200, body);
      },
      (error: unknown) => {
        if (error instanceof Refusal) answer(res, error.status, { code: error.message });
        else answer(res, 503, { code: 'unavailable' });
      },
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          ivs.destroy();
          table.client.destroy();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
