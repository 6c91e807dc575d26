import { CHAT_TOKEN_CAPABILITIES, type ChatTokenCapability } from '../../../shared/ivs/limits.js';
import { isRecord } from '../../../shared/json.js';
import { isIsoTime, nonEmptyString } from './fields.js';
import { HELD_PAGE_SIZE, parseHeldPage, type HeldPage } from './held.js';
import { parseHistoryPage, type HistoryPage } from './history.js';
import { LOG_PAGE_SIZE, parseLogPage, type LogPage } from './moderation-log.js';
import {
  parseRestriction,
  parseRestrictionPage,
  type Restriction,
  type RestrictionKind,
  type RestrictionPage,
} from './moderation.js';
import type { RoomModes } from './room-modes.js';
import { parseRoom, parseRoomPage, type DemoRoom, type Privacy, type RoomPage } from './rooms.js';

/**
 * The dev roles the local token service knows (its default policy turns them into capabilities; an
 * `admin` also creates rooms and administers every room).
 */
export const DEMO_ROLES = ['viewer', 'user', 'moderator', 'admin'] as const;
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
  /** Set while a timeout runs: the token then lacks SEND_MESSAGE until this ISO time. */
  readonly sendBlockedUntil: string | undefined;
}

/** Why a signed-in user gets no token: the service's 403 `banned` problem, with its extension members. */
export interface BanNotice {
  /** `room`: banned from this room; `app`: from every room. */
  readonly scope: 'room' | 'app';
  /** ISO end time; none for a permanent ban. */
  readonly until: string | undefined;
  /** The moderator's reason, when one was given. */
  readonly reason: string | undefined;
}

export type ApiErrorCode = 'HTTP_ERROR' | 'NETWORK_ERROR' | 'BAD_RESPONSE';

/** A failed call to the token service, with the problem+json title/detail when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** The problem's own `code` (e.g. `not_a_member`), when the service sent one. */
  readonly problemCode: string | undefined;
  /** The ban, when the service refused because the caller is banned. */
  readonly ban: BanNotice | undefined;
  /** 503 `upstream_busy`: the Admission-Ticket that keeps the caller's place in the token queue. */
  readonly admissionTicket: string | undefined;

  constructor(
    code: ApiErrorCode,
    message: string,
    options: {
      status?: number;
      retryAfterSeconds?: number;
      problemCode?: string;
      ban?: BanNotice;
      admissionTicket?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.problemCode = options.problemCode;
    this.ban = options.ban;
    this.admissionTicket = options.admissionTicket;
  }
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

/** The problem's machine-readable `code`, if it has one. */
export function problemCode(body: unknown): string | undefined {
  return isRecord(body) && nonEmptyString(body['code']) ? body['code'] : undefined;
}

/** The ban in a 403 `banned` problem (`scope`, `until`, `reason` members); undefined for any other body. */
export function parseBanProblem(body: unknown): BanNotice | undefined {
  if (!isRecord(body) || body['code'] !== 'banned') return undefined;
  const { scope, until, reason } = body;
  return {
    scope: scope === 'app' ? 'app' : 'room',
    until: isIsoTime(until) ? until : undefined,
    reason: nonEmptyString(reason) ? reason : undefined,
  };
}

export function parseIdTokenResponse(body: unknown): string {
  if (isRecord(body) && nonEmptyString(body['idToken'])) return body['idToken'];
  throw new ApiError('BAD_RESPONSE', 'The dev login answer has no idToken');
}

export function parseChatTokenGrant(body: unknown): ChatTokenGrant {
  if (!isRecord(body)) throw new ApiError('BAD_RESPONSE', 'The chat token answer is not a JSON object');
  const { token, tokenExpirationTime, sessionExpirationTime, userId, capabilities, sendBlockedUntil } = body;
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
  return {
    token,
    tokenExpirationTime,
    sessionExpirationTime,
    userId,
    capabilities: known,
    sendBlockedUntil: isIsoTime(sendBlockedUntil) ? sendBlockedUntil : undefined,
  };
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

export interface NewRoom {
  readonly name: string;
  readonly privacy: Privacy;
}

/** Room roles a caller may grant with PUT …/members/{userId} (`owner` is the creator only). */
export type GrantableRole = 'member' | 'moderator';

/** What `PUT /v1/rooms/{roomId}/pin` takes: a moderator's own text, or a message of the room. */
export type PinRequest = { readonly text: string } | { readonly messageId: string };

export interface ApiClient {
  /** `POST /v1/dev/login` (local stack only) → an app JWT. */
  devLogin(login: DevLogin): Promise<string>;
  /** `POST /v1/chat-tokens`: the server decides capabilities from the JWT, never from this page. */
  createChatToken(idToken: string, roomArn: string, admissionTicket?: string): Promise<ChatTokenGrant>;
  /**
   * `GET /v1/rooms`: with `mine`, the rooms the caller belongs to (`memberId=me`); without, public
   * rooms plus the caller's private ones. One page; pass its `nextToken` back for the next.
   */
  listRooms(idToken: string, options: { mine: boolean; nextToken?: string }): Promise<RoomPage>;
  /** `POST /v1/rooms`: the server decides who may (403 otherwise); the caller becomes its owner. */
  createRoom(idToken: string, room: NewRoom): Promise<DemoRoom>;
  /** `PUT /v1/rooms/{roomId}/members/{userId}`; `me` joins a public room. */
  putMember(idToken: string, roomId: string, userId: string, role: GrantableRole): Promise<void>;
  /** `GET /v1/rooms/{roomId}/messages?limit=`: the newest messages first (the same readers as tokens). */
  listMessages(idToken: string, roomId: string, limit: number): Promise<HistoryPage>;
  /** `DELETE /v1/rooms/{roomId}/messages/{messageId}` (room moderators): recorded in the moderation log. */
  deleteMessage(idToken: string, roomId: string, messageId: string, reason: string): Promise<void>;
  /** `PUT /v1/rooms/{roomId}/bans|timeouts/{userId}`; no duration means a permanent ban. */
  restrict(
    idToken: string,
    kind: RestrictionKind,
    roomId: string,
    userId: string,
    options: { durationMinutes?: number; reason?: string },
  ): Promise<Restriction>;
  /** `DELETE /v1/rooms/{roomId}/bans|timeouts/{userId}`: lifts it. */
  lift(idToken: string, kind: RestrictionKind, roomId: string, userId: string): Promise<void>;
  /** `GET /v1/rooms/{roomId}/bans|timeouts`: one page of those in force. */
  listRestrictions(idToken: string, kind: RestrictionKind, roomId: string): Promise<RestrictionPage>;
  /** `GET /v1/rooms/{roomId}`: the room with its modes, its pin and the caller's role in it. */
  getRoom(idToken: string, roomId: string): Promise<DemoRoom>;
  /** `PATCH /v1/rooms/{roomId}` `{modes}` (owner, moderators, admins); announced as `app:modes`. */
  setModes(idToken: string, roomId: string, modes: Partial<RoomModes>): Promise<DemoRoom>;
  /** `PUT /v1/rooms/{roomId}/pin`, replacing any pin; announced as `app:pin`. */
  pin(idToken: string, roomId: string, pin: PinRequest): Promise<DemoRoom>;
  /** `DELETE /v1/rooms/{roomId}/pin`; announced as `app:unpin`. */
  unpin(idToken: string, roomId: string): Promise<void>;
  /** `GET /v1/rooms/{roomId}/held`: one page of the messages waiting for a moderator, oldest first. */
  listHeld(idToken: string, roomId: string, nextToken?: string): Promise<HeldPage>;
  /** `POST /v1/rooms/{roomId}/held/{heldId}/approve`: delivered as `app:approved-message`. */
  approveHeld(idToken: string, roomId: string, heldId: string): Promise<void>;
  /** `POST /v1/rooms/{roomId}/held/{heldId}/reject`: dropped. */
  rejectHeld(idToken: string, roomId: string, heldId: string, reason: string | undefined): Promise<void>;
  /** `GET /v1/rooms/{roomId}/moderation-log`: one page, newest first. */
  readModerationLog(idToken: string, roomId: string, nextToken?: string): Promise<LogPage>;
}

const PLURAL: Readonly<Record<RestrictionKind, string>> = { ban: 'bans', timeout: 'timeouts' };

/** `/v1/rooms/{roomId}/…`, every part escaped (user and message ids are the callers'). */
function roomPath(roomId: string, ...parts: readonly string[]): string {
  return ['/v1/rooms', ...[roomId, ...parts].map(encodeURIComponent)].join('/');
}

/** `?maxResults=…&nextToken=…` for a listing's page. */
function pageQuery(maxResults: number, nextToken: string | undefined): string {
  const query = new URLSearchParams({ maxResults: String(maxResults) });
  if (nextToken !== undefined) query.set('nextToken', nextToken);
  return `?${query.toString()}`;
}

/** A parsed answer, or a BAD_RESPONSE error saying what was not as expected. */
function expected<T>(parsed: T | undefined, what: string): T {
  if (parsed === undefined) throw new ApiError('BAD_RESPONSE', `${what} is not as expected`);
  return parsed;
}

export function createApiClient({ baseUrl, fetch }: ApiClientOptions): ApiClient {
  const base = baseUrl.replace(/\/+$/, '');

  async function request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    options: { body?: unknown; idToken?: string; admissionTicket?: string } = {},
  ): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.admissionTicket !== undefined) headers['admission-ticket'] = options.admissionTicket;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.idToken !== undefined) headers['authorization'] = `Bearer ${options.idToken}`;
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch (cause) {
      throw new ApiError('NETWORK_ERROR', 'Cannot reach the token service', { cause });
    }
    const parsed: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
      const code = problemCode(parsed);
      const ban = parseBanProblem(parsed);
      const admissionTicket = response.headers.get('admission-ticket') ?? undefined;
      throw new ApiError('HTTP_ERROR', problemText(parsed, response.status), {
        status: response.status,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
        ...(code === undefined ? {} : { problemCode: code }),
        ...(ban === undefined ? {} : { ban }),
        ...(admissionTicket === undefined ? {} : { admissionTicket }),
      });
    }
    return parsed;
  }

  return {
    async devLogin(login) {
      return parseIdTokenResponse(await request('POST', '/v1/dev/login', { body: login }));
    },
    async createChatToken(idToken, roomArn, admissionTicket) {
      const body = await request('POST', '/v1/chat-tokens', {
        body: { roomIdentifier: roomArn },
        idToken,
        ...(admissionTicket === undefined ? {} : { admissionTicket }),
      });
      return parseChatTokenGrant(body);
    },
    async listRooms(idToken, { mine, nextToken }) {
      const query = new URLSearchParams();
      if (mine) query.set('memberId', 'me');
      if (nextToken !== undefined) query.set('nextToken', nextToken);
      const search = query.toString() === '' ? '' : `?${query.toString()}`;
      return expected(
        parseRoomPage(await request('GET', `/v1/rooms${search}`, { idToken })),
        'The room list',
      );
    },
    async createRoom(idToken, room) {
      return expected(
        parseRoom(await request('POST', '/v1/rooms', { body: room, idToken })),
        'The created room',
      );
    },
    async putMember(idToken, roomId, userId, role) {
      await request('PUT', roomPath(roomId, 'members', userId), { body: { role }, idToken });
    },
    async listMessages(idToken, roomId, limit) {
      const path = `${roomPath(roomId, 'messages')}?limit=${limit}`;
      return expected(parseHistoryPage(await request('GET', path, { idToken })), 'The room history');
    },
    async deleteMessage(idToken, roomId, messageId, reason) {
      await request('DELETE', roomPath(roomId, 'messages', messageId), { body: { reason }, idToken });
    },
    async restrict(idToken, kind, roomId, userId, options) {
      const path = roomPath(roomId, PLURAL[kind], userId);
      return expected(
        parseRestriction(await request('PUT', path, { body: options, idToken })),
        `The ${kind}`,
      );
    },
    async lift(idToken, kind, roomId, userId) {
      await request('DELETE', roomPath(roomId, PLURAL[kind], userId), { idToken });
    },
    async listRestrictions(idToken, kind, roomId) {
      const page = parseRestrictionPage(
        await request('GET', roomPath(roomId, PLURAL[kind]), { idToken }),
        kind,
      );
      return expected(page, `The ${PLURAL[kind]} list`);
    },
    async getRoom(idToken, roomId) {
      return expected(parseRoom(await request('GET', roomPath(roomId), { idToken })), 'The room');
    },
    async setModes(idToken, roomId, modes) {
      const body = { modes };
      return expected(parseRoom(await request('PATCH', roomPath(roomId), { body, idToken })), 'The room');
    },
    async pin(idToken, roomId, pin) {
      const answer = await request('PUT', roomPath(roomId, 'pin'), { body: pin, idToken });
      return expected(parseRoom(answer), 'The room');
    },
    async unpin(idToken, roomId) {
      await request('DELETE', roomPath(roomId, 'pin'), { idToken });
    },
    async listHeld(idToken, roomId, nextToken) {
      const path = `${roomPath(roomId, 'held')}${pageQuery(HELD_PAGE_SIZE, nextToken)}`;
      return expected(parseHeldPage(await request('GET', path, { idToken })), 'The held messages');
    },
    async approveHeld(idToken, roomId, heldId) {
      await request('POST', roomPath(roomId, 'held', heldId, 'approve'), { idToken });
    },
    async rejectHeld(idToken, roomId, heldId, reason) {
      const body = reason === undefined ? {} : { reason };
      await request('POST', roomPath(roomId, 'held', heldId, 'reject'), { body, idToken });
    },
    async readModerationLog(idToken, roomId, nextToken) {
      const path = `${roomPath(roomId, 'moderation-log')}${pageQuery(LOG_PAGE_SIZE, nextToken)}`;
      return expected(parseLogPage(await request('GET', path, { idToken })), 'The moderation log');
    },
  };
}

/**
 * The signed-in user's app JWT, renewed on demand. It outlives many chat tokens but not a long
 * session: when the token service answers 401 (the JWT expired), sign in again once and retry.
 * Here `signIn` is the dev login; a real app refreshes its ID token through its identity provider
 * at the same point.
 */
export interface Identity {
  /** Runs `call` with the current JWT; on a 401, signs in once more and runs it again. */
  authorized<T>(call: (idToken: string) => Promise<T>): Promise<T>;
}

export function createIdentity(signIn: () => Promise<string>, idToken: string): Identity {
  let current = idToken;
  return {
    async authorized(call) {
      try {
        return await call(current);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        current = await signIn();
        return call(current);
      }
    },
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
