/**
 * The messaging side: WebSocket connections to rooms, spoken exactly as amazon-ivs-chat-messaging
 * expects (IVS Chat Messaging API reference). The chat token arrives as the only subprotocol and is echoed; it is
 * checked before the upgrade completes, so an unknown, reused or expired token never opens a socket.
 * Room settings are read at every request, so UpdateRoom takes effect on live connections.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { newResourceId } from '../../shared/ivs/arn.js';
import {
  attributesByteSize,
  codePointLength,
  IVS_LIMITS,
  type ChatTokenCapability,
} from '../../shared/ivs/limits.js';
import { describeError, type Logger } from '../../shared/logger.js';
import type { ChatLogSink } from './chat-log.js';
import type { Clock } from './clock.js';
import type { FunctionHost } from './function-host.js';
import {
  CHAT_ERROR,
  deleteMessageAttributes,
  disconnectUserAttributes,
  errorFrame,
  eventFrame,
  sendTime,
  type EventFrame,
  type MessageFrame,
  type ServerFrame,
} from './frames.js';
import type { Quotas } from './quotas.js';
import { RateLimiter } from './rate-limit.js';
import { review, type Verdict } from './review.js';
import type { Room, Store } from './store.js';
import type { TokenRegistry } from './tokens.js';
import { isRecord } from '../../shared/json.js';

/** The part of a request that runs after its checks, in order per connection. */
type Step = () => Promise<void> | void;

interface Connection {
  readonly ws: WebSocket;
  readonly roomId: string;
  readonly userId: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly capabilities: ReadonlySet<ChatTokenCapability>;
  readonly sessionExpiresAt: number;
  readonly ip: string;
  /** Requests from one connection are handled in order, even when review makes one wait. */
  queue: Promise<void>;
}

export interface MessagingOptions {
  readonly store: Store;
  readonly tokens: TokenRegistry;
  readonly functions: FunctionHost;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly chatLog: ChatLogSink;
  /** IVS waits 200 ms for a review, not adjustable (IVS Chat User Guide, chat message review handler). */
  readonly reviewDeadlineMs: number;
  /**
   * The account's quotas, shared with the control plane: DeleteMessage and DisconnectUser take from
   * one bucket each whether asked over HTTP or over a socket, and the concurrent-connection quota.
   */
  readonly quotas: Quotas;
}

/** Frames are small (500 code points, 1 KB of attributes); anything far larger is not a chat request. */
const MAX_FRAME_BYTES = 64 * 1024;
/** A client that stops reading is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const ID_PATTERN = /^[a-zA-Z0-9]{1,12}$/;

function remoteIp(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function refuse(socket: Duplex, status: 401 | 404 | 429, text: string): void {
  // Destroy only once the response is flushed, or the client may see a reset instead of the status.
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => {
    socket.destroy();
  });
}

/** The token is the request's only subprotocol (IVS Chat Messaging API reference). */
function tokenOf(request: IncomingMessage): string | undefined {
  const header = request.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return undefined;
  const values = header.split(',').map((value) => value.trim());
  return values.length === 1 && values[0] !== '' ? values[0] : undefined;
}

export class Messaging {
  readonly #options: MessagingOptions;
  readonly #rooms = new Map<string, Set<Connection>>();
  readonly #rates = new Map<string, RateLimiter>();
  readonly #wss: WebSocketServer;

  constructor(options: MessagingOptions) {
    this.#options = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      // Echo the token: every spec-compliant client aborts when its subprotocol is not echoed.
      handleProtocols: (protocols) => [...protocols][0] ?? false,
    });
  }

  get connectionCount(): number {
    let count = 0;
    for (const connections of this.#rooms.values()) count += connections.size;
    return count;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { tokens, store, clock, logger, quotas } = this.#options;
    const token = tokenOf(request);
    if (token === undefined) {
      logger.info('connection refused', { problem: 'no token' });
      refuse(socket, 401, 'Unauthorized');
      return;
    }
    if (this.connectionCount >= quotas.maxConnections) {
      // IVS caps concurrent chat connections per account and region (50,000 by default, adjustable).
      // How IVS refuses the one past it is unconfirmed (the messaging reference documents no
      // handshake errors): the reading here is the handshake answered 429, IVS's status for "over a
      // limit", before the token is spent, so the client may try again with it once a slot is free.
      logger.warn('connection refused', { problem: 'concurrent connection quota reached' });
      refuse(socket, 429, 'Too Many Requests');
      return;
    }
    // The room is checked before the token is spent: a token for a missing room stays unused.
    const redeemed = tokens.redeem(token, clock.now().getTime(), (grant) => store.rooms.has(grant.roomId));
    if (!redeemed.ok) {
      if (redeemed.problem === 'unusable') {
        refuse(socket, 404, 'Not Found');
        return;
      }
      logger.info('connection refused', { problem: `${redeemed.problem} token` });
      refuse(socket, 401, 'Unauthorized');
      return;
    }
    const { grant } = redeemed;
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      const connection: Connection = {
        ws,
        roomId: grant.roomId,
        userId: grant.userId,
        attributes: grant.attributes,
        capabilities: new Set(grant.capabilities),
        sessionExpiresAt: grant.sessionExpiresAt,
        ip: remoteIp(request),
        queue: Promise.resolve(),
      };
      this.#attach(connection);
    });
  }

  #attach(connection: Connection): void {
    const { ws, roomId } = connection;
    let members = this.#rooms.get(roomId);
    if (!members) {
      members = new Set();
      this.#rooms.set(roomId, members);
    }
    members.add(connection);
    this.#options.logger.debug('connection opened', { roomId });
    const failed = (error: unknown): void => {
      this.#options.logger.error('request failed', { roomId, ...describeError(error) });
      this.#send(connection, errorFrame('', CHAT_ERROR.internal, 'Internal error'));
    };
    ws.on('message', (data, isBinary) => {
      // Checks (capability, length, rate) run as the frame arrives, as the room's rate is about
      // arrivals; what follows (review, delivery) runs in order per connection.
      let step: Step | undefined;
      try {
        step = this.#onFrame(connection, data, isBinary);
      } catch (error) {
        failed(error);
        return;
      }
      if (step) connection.queue = connection.queue.then(step).catch(failed);
    });
    ws.on('close', () => {
      this.#detach(connection);
    });
    ws.on('error', (error) => {
      this.#options.logger.debug('socket error', { roomId, ...describeError(error) });
    });
  }

  #detach(connection: Connection): void {
    const members = this.#rooms.get(connection.roomId);
    if (!members) return;
    members.delete(connection);
    if (members.size === 0) this.#rooms.delete(connection.roomId);
  }

  #send(connection: Connection, frame: ServerFrame | string): void {
    const { ws } = connection;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends one frame to every connection in the room (the requester included) and logs it. */
  #broadcast(room: Room, frame: MessageFrame | EventFrame): void {
    const data = Buffer.from(JSON.stringify(frame));
    for (const connection of this.#rooms.get(room.id) ?? []) {
      const { ws } = connection;
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.terminate();
        continue;
      }
      ws.send(data, { binary: false });
    }
    this.#options.chatLog.record(room, frame);
  }

  #onFrame(connection: Connection, data: RawData, isBinary: boolean): Step | undefined {
    let request: unknown;
    try {
      request = isBinary ? undefined : JSON.parse(rawText(data));
    } catch {
      request = undefined;
    }
    if (!isRecord(request)) {
      this.#send(connection, errorFrame('', CHAT_ERROR.badRequest, 'Request must be a JSON object'));
      return;
    }
    const given = typeof request.RequestId === 'string' ? request.RequestId : '';
    // RequestId is echoed to the sender (and in MESSAGE frames to the whole room): an unbounded one
    // would let one client make every frame it causes arbitrarily large. Never echo an oversized one.
    const oversized = codePointLength(given) > IVS_LIMITS.requestIdLength.max;
    const requestId = oversized ? '' : given;
    const fail = (code: number, message: string): void => {
      this.#send(connection, errorFrame(requestId, code, message));
    };
    // A session past its expiry ends at its next request rather than at the next sweep; the ERROR 401
    // names the request, so the SDK settles it before it reconnects.
    if (this.#options.clock.now().getTime() >= connection.sessionExpiresAt) {
      this.#expire(connection, requestId);
      return undefined;
    }
    if (oversized) {
      fail(CHAT_ERROR.tooLarge, `RequestId must be at most ${IVS_LIMITS.requestIdLength.max} characters`);
      return;
    }
    if (requestId === '') {
      fail(CHAT_ERROR.badRequest, 'RequestId is required');
      return;
    }
    switch (request.Action) {
      case 'SEND_MESSAGE':
        return this.#sendMessage(connection, requestId, request, fail);
      case 'DELETE_MESSAGE':
        // Throttled as the frame arrives, so a flood is refused rather than queued.
        if (!this.#options.quotas.take('DeleteMessage')) {
          fail(CHAT_ERROR.rateLimited, 'Rate limit exceeded');
          return undefined;
        }
        return () => {
          this.#deleteMessageAction(connection, requestId, request, fail);
        };
      case 'DISCONNECT_USER':
        if (!this.#options.quotas.take('DisconnectUser')) {
          fail(CHAT_ERROR.rateLimited, 'Rate limit exceeded');
          return undefined;
        }
        return () => {
          this.#disconnectUserAction(connection, requestId, request, fail);
        };
      default:
        fail(CHAT_ERROR.badRequest, 'Action must be SEND_MESSAGE, DELETE_MESSAGE or DISCONNECT_USER');
        return undefined;
    }
  }

  /**
   * SEND_MESSAGE: capability 403, length 400, room rate 429 (now), then review and the MESSAGE to
   * everyone (the returned step, in order behind this connection's earlier messages).
   */
  #sendMessage(
    connection: Connection,
    requestId: string,
    request: Record<string, unknown>,
    fail: (code: number, message: string) => void,
  ): Step | undefined {
    const { store, clock } = this.#options;
    if (!connection.capabilities.has('SEND_MESSAGE')) {
      fail(CHAT_ERROR.forbidden, 'The SEND_MESSAGE capability is required');
      return undefined;
    }
    const room = store.rooms.get(connection.roomId);
    if (!room) {
      fail(CHAT_ERROR.notFound, 'Room not found');
      return undefined;
    }
    const content = request.Content;
    if (typeof content !== 'string' || content === '') {
      fail(CHAT_ERROR.badRequest, 'Content must be a non-empty string');
      return undefined;
    }
    // maximumMessageLength counts Unicode code points, not bytes (IVS Chat API reference and service quotas).
    if (codePointLength(content) > room.maximumMessageLength) {
      fail(CHAT_ERROR.badRequest, `Content exceeds ${room.maximumMessageLength} characters`);
      return undefined;
    }
    const attributes = parseAttributes(request.Attributes);
    if (attributes === 'invalid') {
      fail(CHAT_ERROR.badRequest, 'Attributes must be a map of strings');
      return undefined;
    }
    if (attributes !== undefined && attributesByteSize(attributes) > IVS_LIMITS.attributesMaxBytes) {
      fail(CHAT_ERROR.tooLarge, 'Attributes exceed 1 KB');
      return undefined;
    }
    // The room's rate counts every client's messages together.
    let window = this.#rates.get(room.id);
    if (!window) {
      window = new RateLimiter();
      this.#rates.set(room.id, window);
    }
    if (!window.tryTake(clock.now().getTime(), room.maximumMessageRatePerSecond)) {
      fail(CHAT_ERROR.rateLimited, 'Rate limit exceeded');
      return undefined;
    }
    // The review event names the Id the MESSAGE will carry (IVS Chat User Guide, chat message review handler).
    const messageId = newResourceId();
    return async () => {
      const verdict = await this.#review(room, connection, messageId, content, attributes);
      if (!verdict.deliver) {
        // DENY reaches the sender only, as ERROR 406 carrying the handler's reason.
        fail(CHAT_ERROR.rejectedByReview, verdict.reason);
        return;
      }
      const current = store.rooms.get(connection.roomId);
      if (!current) {
        fail(CHAT_ERROR.notFound, 'Room not found');
        return;
      }
      this.#broadcast(current, {
        Type: 'MESSAGE',
        Id: messageId,
        RequestId: requestId,
        Content: verdict.content,
        Attributes: verdict.attributes ?? null,
        SendTime: sendTime(clock.now()),
        Sender: { UserId: connection.userId, Attributes: connection.attributes },
      });
    };
  }

  async #review(
    room: Room,
    connection: Connection,
    messageId: string,
    content: string,
    attributes: Readonly<Record<string, string>> | undefined,
  ): Promise<Verdict> {
    const handler = room.messageReviewHandler;
    if (!handler || handler.uri === '') return { deliver: true, content, attributes };
    return review({
      host: this.#options.functions,
      handler,
      maximumMessageLength: room.maximumMessageLength,
      deadlineMs: this.#options.reviewDeadlineMs,
      logger: this.#options.logger,
      messageAttributes: attributes,
      event: {
        Content: content,
        MessageId: messageId,
        RoomArn: room.arn,
        Attributes: attributes ?? {},
        Sender: { UserId: connection.userId, Attributes: connection.attributes, Ip: connection.ip },
      },
    });
  }

  #deleteMessageAction(
    connection: Connection,
    requestId: string,
    request: Record<string, unknown>,
    fail: (code: number, message: string) => void,
  ): void {
    if (!connection.capabilities.has('DELETE_MESSAGE')) {
      fail(CHAT_ERROR.forbidden, 'The DELETE_MESSAGE capability is required');
      return;
    }
    const { Id: id, Reason: reason } = request;
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
      fail(CHAT_ERROR.badRequest, 'Id must be a message id');
      return;
    }
    if (!validReason(reason)) {
      fail(CHAT_ERROR.badRequest, 'Reason must be 1 to 256 characters');
      return;
    }
    if (!this.deleteMessage(connection.roomId, id, reason, requestId))
      fail(CHAT_ERROR.notFound, 'Room not found');
  }

  #disconnectUserAction(
    connection: Connection,
    requestId: string,
    request: Record<string, unknown>,
    fail: (code: number, message: string) => void,
  ): void {
    if (!connection.capabilities.has('DISCONNECT_USER')) {
      fail(CHAT_ERROR.forbidden, 'The DISCONNECT_USER capability is required');
      return;
    }
    const { UserId: userId, Reason: reason } = request;
    const { min, max } = IVS_LIMITS.userIdLength;
    if (typeof userId !== 'string' || userId.length < min || userId.length > max) {
      fail(CHAT_ERROR.badRequest, 'UserId must be 1 to 128 characters');
      return;
    }
    if (!validReason(reason)) {
      fail(CHAT_ERROR.badRequest, 'Reason must be 1 to 256 characters');
      return;
    }
    if (!this.disconnectUser(connection.roomId, userId, reason, requestId)) {
      fail(CHAT_ERROR.notFound, 'Room not found');
    }
  }

  /** An event to everyone in the room; `requestId` is "" when the control plane caused it. */
  sendEvent(
    roomId: string,
    eventName: string,
    attributes: Readonly<Record<string, string>>,
    requestId = '',
  ): string | undefined {
    const room = this.#options.store.rooms.get(roomId);
    if (!room) return undefined;
    const frame = eventFrame(requestId, eventName, attributes, this.#options.clock.now());
    this.#broadcast(room, frame);
    return frame.Id;
  }

  /** `aws:DELETE_MESSAGE` with a fresh Id of its own; answers that Id. */
  deleteMessage(
    roomId: string,
    messageId: string,
    reason: string | undefined,
    requestId = '',
  ): string | undefined {
    return this.sendEvent(
      roomId,
      'aws:DELETE_MESSAGE',
      deleteMessageAttributes(messageId, reason),
      requestId,
    );
  }

  /**
   * `aws:DISCONNECT_USER` to everyone (the requester too, or its promise never settles), then every
   * connection of that user in the room closes. The close code IVS uses is unconfirmed: 1000, the
   * safe reading (IVS Chat Messaging API reference), which the SDK reports as a server disconnect, no reconnect.
   */
  disconnectUser(roomId: string, userId: string, reason: string | undefined, requestId = ''): boolean {
    const eventId = this.sendEvent(
      roomId,
      'aws:DISCONNECT_USER',
      disconnectUserAttributes(userId, reason),
      requestId,
    );
    if (eventId === undefined) return false;
    for (const connection of [...(this.#rooms.get(roomId) ?? [])]) {
      if (connection.userId !== userId) continue;
      this.#detach(connection);
      connection.ws.close(1000, 'Disconnected by moderator');
    }
    return true;
  }

  /** DeleteRoom: every client of the room is disconnected. */
  closeRoom(roomId: string): void {
    for (const connection of [...(this.#rooms.get(roomId) ?? [])]) {
      this.#detach(connection);
      connection.ws.close(1000, 'Room deleted');
    }
    this.#rates.delete(roomId);
  }

  /**
   * Ends sessions past their expiry: ERROR 401, which makes the SDK fetch a new token and reconnect,
   * then a clean close (IVS Chat Messaging API reference).
   */
  expireSessions(): void {
    const now = this.#options.clock.now().getTime();
    for (const members of [...this.#rooms.values()]) {
      for (const connection of [...members]) {
        if (now >= connection.sessionExpiresAt) this.#expire(connection);
      }
    }
  }

  #expire(connection: Connection, requestId = ''): void {
    this.#send(connection, errorFrame(requestId, CHAT_ERROR.unauthorized, 'Session expired'));
    this.#detach(connection);
    connection.ws.close(1000, 'Session expired');
  }

  close(): void {
    for (const members of this.#rooms.values()) {
      for (const connection of members) connection.ws.terminate();
    }
    this.#rooms.clear();
    this.#wss.close();
  }
}

function parseAttributes(value: unknown): Record<string, string> | undefined | 'invalid' {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return 'invalid';
  const entries: [string, string][] = [];
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') return 'invalid';
    entries.push([key, entry]);
  }
  // Own properties only, so a client's `__proto__` attribute is kept as sent, not dropped.
  return Object.fromEntries(entries);
}

function validReason(reason: unknown): reason is string | undefined {
  if (reason === undefined) return true;
  const { min, max } = IVS_LIMITS.reasonLength;
  return typeof reason === 'string' && codePointLength(reason) >= min && codePointLength(reason) <= max;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(new Uint8Array(data)).toString('utf8');
}
