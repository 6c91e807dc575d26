import { CHAT_TOKEN_CAPABILITIES, type ChatTokenCapability } from '../../../shared/ivs/limits.js';
import { isRecord } from '../../../shared/json.js';

/** The dev roles the local token service knows (its default policy turns them into capabilities). */
export const DEMO_ROLES = ['viewer', 'user', 'moderator'] as const;
export type DemoRole = (typeof DEMO_ROLES)[number];

export function isDemoRole(value: unknown): value is DemoRole {
  return DEMO_ROLES.some((role) => role === value);
}

/** A CreateChatToken answer as the token service returns it; the first three fields feed the SDK. */
export interface ChatTokenGrant {
  readonly token: string;
  readonly tokenExpirationTime: string;
  readonly sessionExpirationTime: string;
  readonly userId: string;
  readonly capabilities: readonly ChatTokenCapability[];
}

export type ApiErrorCode = 'HTTP_ERROR' | 'NETWORK_ERROR' | 'BAD_RESPONSE';

/** A failed call to the token service, with the problem+json title/detail when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ApiErrorCode,
    message: string,
    options: { status?: number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** `Retry-After` in seconds (the service sends delta-seconds); anything else is ignored. */
export function parseRetryAfter(header: string | null): number | undefined {
  if (header === null || !/^\d{1,6}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

/** The human sentence of an RFC 9457 problem body: its detail, else its title. */
export function problemText(body: unknown, status: number): string {
  if (isRecord(body)) {
    if (nonEmptyString(body['detail'])) return body['detail'];
    if (nonEmptyString(body['title'])) return body['title'];
  }
  return `The token service answered HTTP ${status}`;
}

export function parseIdTokenResponse(body: unknown): string {
  if (isRecord(body) && nonEmptyString(body['idToken'])) return body['idToken'];
  throw new ApiError('BAD_RESPONSE', 'The dev login answer has no idToken');
}

export function parseChatTokenGrant(body: unknown): ChatTokenGrant {
  if (!isRecord(body)) throw new ApiError('BAD_RESPONSE', 'The chat token answer is not a JSON object');
  const { token, tokenExpirationTime, sessionExpirationTime, userId, capabilities } = body;
  if (
    !nonEmptyString(token) ||
    !nonEmptyString(tokenExpirationTime) ||
    !nonEmptyString(sessionExpirationTime) ||
    !nonEmptyString(userId) ||
    !Array.isArray(capabilities)
  ) {
    throw new ApiError('BAD_RESPONSE', 'The chat token answer is missing fields');
  }
  const known = capabilities.filter((capability): capability is ChatTokenCapability =>
    CHAT_TOKEN_CAPABILITIES.some((name) => name === capability),
  );
  return { token, tokenExpirationTime, sessionExpirationTime, userId, capabilities: known };
}

export interface ApiClientOptions {
  /** `""` for same origin, else the service's base URL (no trailing slash needed). */
  readonly baseUrl: string;
  readonly fetch: typeof globalThis.fetch;
}

export interface DevLogin {
  readonly userId: string;
  readonly displayName: string;
  readonly roles: readonly DemoRole[];
}

export interface ApiClient {
  /** `POST /v1/dev/login` (local stack only) → an app JWT. */
  devLogin(login: DevLogin): Promise<string>;
  /** `POST /v1/chat-tokens`: the server decides capabilities from the JWT, never from this page. */
  createChatToken(idToken: string, roomArn: string): Promise<ChatTokenGrant>;
}

export function createApiClient({ baseUrl, fetch }: ApiClientOptions): ApiClient {
  const base = baseUrl.replace(/\/+$/, '');

  async function postJson(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    } catch (cause) {
      throw new ApiError('NETWORK_ERROR', 'Cannot reach the token service', { cause });
    }
    const parsed: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
      throw new ApiError('HTTP_ERROR', problemText(parsed, response.status), {
        status: response.status,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      });
    }
    return parsed;
  }

  return {
    async devLogin(login) {
      return parseIdTokenResponse(await postJson('/v1/dev/login', login));
    },
    async createChatToken(idToken, roomArn) {
      const body = await postJson(
        '/v1/chat-tokens',
        { roomIdentifier: roomArn },
        { authorization: `Bearer ${idToken}` },
      );
      return parseChatTokenGrant(body);
    },
  };
}

/**
 * Chat tokens for one signed-in user, for the SDK's tokenProvider (called on every connect and
 * reconnect). The app's JWT outlives many chat tokens but not a long session: when the token service
 * answers 401 (the JWT expired), sign in again once and retry. Here `signIn` is the dev login; a real
 * app refreshes its ID token through its identity provider at the same point.
 */
export function chatTokenSource(
  client: ApiClient,
  roomArn: string,
  signIn: () => Promise<string>,
  idToken: string,
): () => Promise<ChatTokenGrant> {
  let current = idToken;
  return async () => {
    try {
      return await client.createChatToken(current, roomArn);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      current = await signIn();
      return client.createChatToken(current, roomArn);
    }
  };
}

/** What to tell the user when a call to the token service failed. */
export function describeApiError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong talking to the token service.';
  if (error.code === 'NETWORK_ERROR') return 'Cannot reach the token service. Is it running?';
  if (error.code === 'BAD_RESPONSE') return `Unexpected answer from the token service: ${error.message}`;
  if (error.status === 429) {
    const wait = error.retryAfterSeconds === undefined ? 'in a moment' : `in ${error.retryAfterSeconds} s`;
    return `Too many requests. Try again ${wait}.`;
  }
  return `${error.message} (HTTP ${error.status ?? '?'})`;
}
