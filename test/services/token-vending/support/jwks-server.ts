/**
 * A real JWKS endpoint on 127.0.0.1:0 standing in for the app's identity provider, with helpers to
 * sign good tokens and craft every kind of bad one.
 */
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

export const ISSUER = 'https://idp.test.example';
export const AUDIENCE = 'chat-app';

export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function newRsaKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

export interface JwksServer {
  readonly jwksUri: string;
  /** Keys currently published (mutable: tests rotate keys). */
  readonly published: TestKey[];
  /** How many times the JWKS was fetched. */
  fetches: number;
  /** When set, the endpoint answers 500. */
  failing: boolean;
  close(): Promise<void>;
}

export async function startJwksServer(keys: TestKey[]): Promise<JwksServer> {
  const state: JwksServer = {
    jwksUri: '',
    published: keys,
    fetches: 0,
    failing: false,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
  const server = createServer((_req, res) => {
    state.fetches += 1;
    if (state.failing) {
      res.writeHead(500).end('down');
      return;
    }
    const body = {
      keys: state.published.map((key) => ({
        ...key.publicKey.export({ format: 'jwk' }),
        kid: key.kid,
        alg: 'RS256',
        use: 'sig',
      })),
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { jwksUri: `http://127.0.0.1:${port}/.well-known/jwks.json` });
}

export interface SignOptions {
  readonly key?: TestKey;
  readonly kid?: string;
  readonly issuer?: string;
  /** One audience or several (Auth0 and Keycloak tokens often carry an array). */
  readonly audience?: string | string[];
  readonly expiresInSeconds?: number;
  readonly notBeforeSeconds?: number;
  readonly algorithm?: 'RS256' | 'RS384' | 'RS512';
  /** Leave exp out entirely. */
  readonly omitExp?: boolean;
}

/** A well-formed RS256 token; every option bends one thing. Times are relative to `nowSeconds`. */
export function signToken(
  defaultKey: TestKey,
  claims: Record<string, unknown>,
  options: SignOptions = {},
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  const key = options.key ?? defaultKey;
  const payload: Record<string, unknown> = { iat: nowSeconds, ...claims };
  if (options.omitExp !== true) payload.exp = nowSeconds + (options.expiresInSeconds ?? 600);
  if (options.notBeforeSeconds !== undefined) payload.nbf = nowSeconds + options.notBeforeSeconds;
  return jwt.sign(payload, key.privateKey, {
    algorithm: options.algorithm ?? 'RS256',
    keyid: options.kid ?? key.kid,
    issuer: options.issuer ?? ISSUER,
    audience: options.audience ?? AUDIENCE,
  });
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** A token assembled by hand, for algorithms a careful library refuses to produce. */
export function craftToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signWith?: { hmacSecret: string | Buffer },
): string {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  if (!signWith) return `${signingInput}.`;
  const algorithm = header.alg === 'HS512' ? 'sha512' : 'sha256';
  return `${signingInput}.${createHmac(algorithm, signWith.hmacSecret).update(signingInput).digest('base64url')}`;
}
