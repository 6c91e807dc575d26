/**
 * Moderation: room bans and timeouts, deleting messages, events (announcements), the moderation log,
 * and app-wide bans. All state is in the table, checked on every token request and, for senders
 * already connected, by the review Lambda on every message (see the README's "Moderation").
 */
import {
  DeleteMessageCommand,
  DisconnectUserCommand,
  SendEventCommand,
  type IvschatClient,
} from '@aws-sdk/client-ivschat';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { IVS_LIMITS, attributesByteSize, codePointLength } from '../../../../shared/ivs/limits.js';
import { describeError } from '../../../../shared/logger.js';
import { keys } from '../../../../shared/table/keys.js';
import { actorOf, assertMayModerate, type Actor, type RoomStanding } from '../../access/rules.js';
import { HttpError, mapIvsError } from '../../platform/problem.js';
import {
  callerOf,
  integerQuery,
  isValidUserId,
  jsonBody,
  jsonIfBody,
  onlyQuery,
  requestIdOf,
  requireJson,
  requireObject,
  roomIdParam,
  userIdParam,
} from '../../platform/http.js';
import { decodeNextToken, encodeNextToken } from '../../platform/pagination.js';
import type { ChatPolicy } from '../../access/chat-policy.js';
import { loadStanding, type DirectoryDeps } from '../rooms/directory.js';
import {
  appendLog,
  deleteRestriction,
  parseProfileAdmin,
  parseRestriction,
  putRestriction,
  queryLog,
  queryRestrictions,
  sessionRooms,
  type LogEntry,
  type Restriction,
} from './store.js';
import { batchGet, itemAt } from '../../platform/table.js';

export interface ModerationRouterDeps extends DirectoryDeps {
  readonly policy: ChatPolicy;
  readonly authenticate: RequestHandler;
}

/** Ban lengths: up to a year (525,600 minutes); timeouts up to a week (10,080). */
export const BAN_MINUTES = { min: 1, max: 525_600 } as const;
export const TIMEOUT_MINUTES = { min: 1, max: 10_080 } as const;
const MESSAGE_ID = IVS_LIMITS.resourceId.pattern;
const LOG_KEY = /^LOG#\d{4}-\d{2}-\d{2}T[\d:.]+Z#[0-9a-f]{8}$/;

function parseReason(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const { min, max } = IVS_LIMITS.reasonLength;
  if (typeof value !== 'string' || codePointLength(value) < min || codePointLength(value) > max) {
    throw new HttpError(400, 'invalid_body', `reason must be ${min} to ${max} characters`);
  }
  return value;
}

function parseMinutes(
  value: unknown,
  bounds: { min: number; max: number },
  required: boolean,
): number | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new HttpError(
      400,
      'invalid_body',
      `durationMinutes must be an integer from ${bounds.min} to ${bounds.max}`,
    );
  }
  return value;
}

function apiRestriction(restriction: Restriction): Record<string, string> {
  return {
    userId: restriction.userId,
    ...(restriction.reason === undefined ? {} : { reason: restriction.reason }),
    ...(restriction.until === undefined ? {} : { until: restriction.until }),
    by: restriction.by,
    since: restriction.since,
  };
}

/** Whom a moderator may restrict: never themself; the owner and admins only by an admin. */
async function assertMayRestrict(
  deps: ModerationRouterDeps,
  standing: RoomStanding,
  targetId: string,
): Promise<void> {
  const { actor, room } = standing;
  if (targetId === actor.userId) throw new HttpError(403, 'forbidden', 'you cannot do this to yourself');
  const profileKey = keys.profile(targetId);
  const memberKey = keys.member(room.id, targetId);
  const items = await batchGet(deps.table.client, deps.table.name, [profileKey, memberKey]);
  const targetRole = itemAt(items, memberKey)?.role;
  if (actor.isAdmin) return;
  if (room.ownerId === targetId || targetRole === 'owner') {
    throw new HttpError(403, 'forbidden', "the room's owner cannot be banned or timed out");
  }
  if (parseProfileAdmin(itemAt(items, profileKey), deps.clock())) {
    throw new HttpError(403, 'forbidden', 'an admin cannot be banned or timed out');
  }
  if (targetRole === 'moderator' && standing.role !== 'owner') {
    throw new HttpError(
      403,
      'forbidden',
      "only the room's owner or an admin may ban or time out a moderator",
    );
  }
}

/** Closes every connection the user has to the room now; a room already gone has none. */
async function disconnect(
  ivs: IvschatClient,
  roomArn: string,
  userId: string,
  reason: string,
): Promise<void> {
  try {
    await ivs.send(new DisconnectUserCommand({ roomIdentifier: roomArn, userId, reason }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return;
    throw mapIvsError(error);
  }
}

export function moderationRouter(deps: ModerationRouterDeps): Router {
  const { ivs, table, policy, logger, clock, authenticate } = deps;
  const router = Router();
  const now = (): number => clock();
  const iso = (ms: number): string => new Date(ms).toISOString();

  const moderatorStanding = async (req: Request, res: Response): Promise<RoomStanding> => {
    const roomId = roomIdParam(req);
    const actor = actorOf(policy, callerOf(res));
    if (!actor.signedIn) throw new HttpError(401, 'missing_token', 'sign in first');
    const standing = await loadStanding(deps, roomId, actor, { adopt: true });
    assertMayModerate(standing);
    return standing;
  };
  const log = async (roomId: string, entry: Omit<LogEntry, 'time'>, at: number): Promise<void> => {
    await appendLog(table, roomId, { ...entry, time: iso(at) });
  };

  for (const kind of ['ban', 'timeout'] as const) {
    const plural = kind === 'ban' ? 'bans' : 'timeouts';
    const bounds = kind === 'ban' ? BAN_MINUTES : TIMEOUT_MINUTES;

    router.put(
      `/v1/rooms/:roomId/${plural}/:userId`,
      requireJson,
      jsonBody,
      authenticate,
      async (req, res) => {
        const body = requireObject(req.body, ['reason', 'durationMinutes']);
        const reason = parseReason(body.reason);
        const minutes = parseMinutes(body.durationMinutes, bounds, kind === 'timeout');
        const targetId = userIdParam(req, res);
        const standing = await moderatorStanding(req, res);
        await assertMayRestrict(deps, standing, targetId);
        const at = now();
        const restriction: Restriction = {
          userId: targetId,
          reason,
          until: minutes === undefined ? undefined : iso(at + minutes * 60_000),
          by: standing.actor.userId,
          since: iso(at),
        };
        const { replaced } = await putRestriction(table, kind, standing.room.id, restriction, at);
        // A ban ends the user's open connections at once. A timeout keeps them reading: the review
        // Lambda refuses what they send (it reads the same item), and new tokens lack SEND_MESSAGE.
        if (kind === 'ban') {
          await disconnect(ivs, standing.room.arn, targetId, reason ?? 'banned from the room');
        }
        await log(
          standing.room.id,
          {
            action: kind,
            by: standing.actor.userId,
            target: targetId,
            reason,
            until: restriction.until,
          },
          at,
        );
        logger.info(`${kind} set`, { requestId: requestIdOf(res), roomId: standing.room.id, replaced });
        res
          .status(replaced ? 200 : 201)
          .set('Cache-Control', 'no-store')
          .json(apiRestriction(restriction));
      },
    );

    router.delete(`/v1/rooms/:roomId/${plural}/:userId`, authenticate, async (req, res) => {
      const targetId = userIdParam(req, res);
      const standing = await moderatorStanding(req, res);
      const at = now();
      const existed = await deleteRestriction(table, kind, standing.room.id, targetId, at);
      if (existed) {
        await log(
          standing.room.id,
          {
            action: kind === 'ban' ? 'unban' : 'untimeout',
            by: standing.actor.userId,
            target: targetId,
          },
          at,
        );
      }
      res.status(204).end();
    });

    router.get(`/v1/rooms/:roomId/${plural}`, authenticate, async (req, res) => {
      onlyQuery(req, ['maxResults', 'nextToken']);
      const { min, max } = IVS_LIMITS.listMaxResults;
      const maxResults = integerQuery(req, 'maxResults', min, max, IVS_LIMITS.listMaxResults.default);
      const standing = await moderatorStanding(req, res);
      const scope = JSON.stringify([plural, standing.room.id]);
      const at = now();
      const after = decodeNextToken(req.query.nextToken, scope, at, isValidUserId);
      const page = await queryRestrictions(table, kind, standing.room.id, {
        after,
        limit: maxResults,
        now: at,
      });
      res.set('Cache-Control', 'no-store').json({
        [plural]: page.items.map(apiRestriction),
        ...(page.more && page.last !== undefined ? { nextToken: encodeNextToken(scope, page.last, at) } : {}),
      });
    });
  }

  router.delete(
    '/v1/rooms/:roomId/messages/:messageId',
    jsonIfBody,
    jsonBody,
    authenticate,
    async (req, res) => {
      const messageId = req.params.messageId;
      if (typeof messageId !== 'string' || !MESSAGE_ID.test(messageId)) {
        throw new HttpError(
          400,
          'invalid_parameter',
          'messageId must be the 12-letter-or-digit IVS message id',
        );
      }
      const body = requireObject(req.body ?? {}, ['reason']);
      const reason = parseReason(body.reason);
      const standing = await moderatorStanding(req, res);
      try {
        await ivs.send(
          new DeleteMessageCommand({
            roomIdentifier: standing.room.arn,
            id: messageId,
            ...(reason ? { reason } : {}),
          }),
        );
      } catch (error) {
        throw mapIvsError(error);
      }
      await log(
        standing.room.id,
        {
          action: 'deleteMessage',
          by: standing.actor.userId,
          reason,
          messageId,
        },
        now(),
      );
      res.status(204).end();
    },
  );

  router.post('/v1/rooms/:roomId/events', requireJson, jsonBody, authenticate, async (req, res) => {
    const body = requireObject(req.body, ['eventName', 'attributes']);
    const { min, max } = IVS_LIMITS.eventNameLength;
    const eventName = body.eventName;
    if (
      typeof eventName !== 'string' ||
      codePointLength(eventName) < min ||
      codePointLength(eventName) > max ||
      eventName.startsWith('aws:')
    ) {
      throw new HttpError(
        400,
        'invalid_body',
        `eventName must be ${min} to ${max} characters, not starting with aws:`,
      );
    }
    const attributes: Record<string, string> = {};
    if (body.attributes !== undefined) {
      if (typeof body.attributes !== 'object' || body.attributes === null || Array.isArray(body.attributes)) {
        throw new HttpError(400, 'invalid_body', 'attributes must be an object of string values');
      }
      for (const [key, value] of Object.entries(body.attributes)) {
        if (typeof value !== 'string')
          throw new HttpError(400, 'invalid_body', 'attributes must be an object of string values');
        Object.defineProperty(attributes, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      if (attributesByteSize(attributes) > IVS_LIMITS.attributesMaxBytes) {
        throw new HttpError(
          400,
          'invalid_body',
          `attributes must be at most ${IVS_LIMITS.attributesMaxBytes} bytes`,
        );
      }
    }
    const standing = await moderatorStanding(req, res);
    let sent;
    try {
      sent = await ivs.send(
        new SendEventCommand({ roomIdentifier: standing.room.arn, eventName, attributes }),
      );
    } catch (error) {
      throw mapIvsError(error);
    }
    await log(
      standing.room.id,
      {
        action: 'sendEvent',
        by: standing.actor.userId,
        eventName,
      },
      now(),
    );
    res
      .status(200)
      .set('Cache-Control', 'no-store')
      .json({ id: sent.id ?? null });
  });

  router.get('/v1/rooms/:roomId/moderation-log', authenticate, async (req, res) => {
    onlyQuery(req, ['maxResults', 'nextToken']);
    const { min, max } = IVS_LIMITS.listMaxResults;
    const maxResults = integerQuery(req, 'maxResults', min, max, IVS_LIMITS.listMaxResults.default);
    const standing = await moderatorStanding(req, res);
    const scope = JSON.stringify(['moderation-log', standing.room.id]);
    const at = now();
    const before = decodeNextToken(req.query.nextToken, scope, at, (position) => LOG_KEY.test(position));
    const page = await queryLog(table, standing.room.id, { before, limit: maxResults });
    res.set('Cache-Control', 'no-store').json({
      entries: page.items.map((entry) =>
        Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined)),
      ),
      ...(page.more && page.last !== undefined ? { nextToken: encodeNextToken(scope, page.last, at) } : {}),
    });
  });

  // ---- app-wide bans (admins)
  const adminOnly = (res: Response): Actor => {
    const actor = actorOf(policy, callerOf(res));
    if (!actor.signedIn) throw new HttpError(401, 'missing_token', 'sign in first');
    if (!actor.isAdmin) throw new HttpError(403, 'forbidden', 'only admins manage app-wide bans');
    return actor;
  };

  router.put('/v1/bans/:userId', requireJson, jsonBody, authenticate, async (req, res) => {
    const body = requireObject(req.body, ['reason', 'durationMinutes']);
    const reason = parseReason(body.reason);
    const minutes = parseMinutes(body.durationMinutes, BAN_MINUTES, false);
    const targetId = userIdParam(req, res);
    const actor = adminOnly(res);
    if (targetId === actor.userId) throw new HttpError(403, 'forbidden', 'you cannot ban yourself');
    const at = now();
    const restriction: Restriction = {
      userId: targetId,
      reason,
      until: minutes === undefined ? undefined : iso(at + minutes * 60_000),
      by: actor.userId,
      since: iso(at),
    };
    const { replaced } = await putRestriction(table, 'appBan', undefined, restriction, at);
    // Every room where the user holds a session, in parallel (DisconnectUser allows 100 TPS).
    const rooms = await sessionRooms(table, targetId, at);
    const failed: string[] = [];
    for (let start = 0; start < rooms.length; start += 20) {
      await Promise.all(
        rooms.slice(start, start + 20).map((arn) =>
          disconnect(ivs, arn, targetId, reason ?? 'banned from chat').catch((error: unknown) => {
            failed.push(arn);
            logger.warn('app-wide ban: a disconnect failed', {
              requestId: requestIdOf(res),
              ...describeError(error),
            });
          }),
        ),
      );
    }
    logger.info('app-wide ban set', {
      requestId: requestIdOf(res),
      rooms: rooms.length,
      failed: failed.length,
      replaced,
    });
    // The ban stands either way; a disconnect IVS refused is answered as unavailable so the admin
    // retries (the PUT is idempotent and disconnects again).
    if (failed.length > 0) {
      throw new HttpError(
        503,
        'upstream_unavailable',
        'the ban is recorded but some connections could not be closed; retry',
        {
          headers: { 'Retry-After': '2' },
          expose: true,
        },
      );
    }
    res
      .status(replaced ? 200 : 201)
      .set('Cache-Control', 'no-store')
      .json({ ...apiRestriction(restriction), rooms: rooms.length });
  });

  router.delete('/v1/bans/:userId', authenticate, async (req, res) => {
    const targetId = userIdParam(req, res);
    adminOnly(res);
    await deleteRestriction(table, 'appBan', undefined, targetId, now());
    res.status(204).end();
  });

  router.get('/v1/bans/:userId', authenticate, async (req, res) => {
    const targetId = userIdParam(req, res);
    adminOnly(res);
    const items = await batchGet(table.client, table.name, [keys.appBan(targetId)]);
    const ban = parseRestriction(itemAt(items, keys.appBan(targetId)), now());
    if (!ban) throw new HttpError(404, 'not_found', 'this user is not banned');
    res.set('Cache-Control', 'no-store').json(apiRestriction(ban));
  });

  return router;
}
