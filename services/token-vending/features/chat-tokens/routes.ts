/**
 * POST /v1/chat-tokens: a chat token for one room, with capabilities, session cap, user id and
 * attributes decided here from the verified identity, the policy and the caller's standing in the
 * room (one strongly consistent table read), never from the body.
 */
import { CreateChatTokenCommand } from '@aws-sdk/client-ivschat';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { parseRoomArn } from '../../../../shared/ivs/arn.js';
import { IVS_LIMITS } from '../../../../shared/ivs/limits.js';
import { keys } from '../../../../shared/table/keys.js';
import { actorOf } from '../../access/rules.js';
import { HttpError, mapIvsError, mapTableError } from '../../platform/problem.js';
import { callerOf, jsonBody, locals, requireJson, requireObject } from '../../platform/http.js';
import { decide, type ChatPolicy } from '../../access/chat-policy.js';
import type { DirectoryDeps } from '../rooms/directory.js';
import { parseMembership } from '../members/store.js';
import { parseRoom } from '../rooms/store.js';
import { parseRestriction, recordSession, type Restriction } from '../moderation/store.js';
import { batchGet, itemAt } from '../../platform/table.js';

const TOKEN_REQUEST_FIELDS = ['roomIdentifier', 'sessionDurationInMinutes'] as const;

export interface TokenRequest {
  readonly roomIdentifier: string;
  readonly sessionDurationInMinutes: number | undefined;
}

export function parseTokenRequest(body: unknown): TokenRequest {
  const value = requireObject(
    body,
    TOKEN_REQUEST_FIELDS,
    '; the server decides capabilities, user id and attributes',
  );
  // IVS documents every roomIdentifier as "must currently be an ARN" (CreateChatToken API reference).
  if (!parseRoomArn(value.roomIdentifier)) {
    throw new HttpError(
      400,
      'invalid_body',
      'roomIdentifier must be an IVS room ARN (arn:aws:ivschat:<region>:<account>:room/<id>)',
    );
  }
  const duration = value.sessionDurationInMinutes;
  const { min, max } = IVS_LIMITS.sessionDurationMinutes;
  if (
    duration !== undefined &&
    (typeof duration !== 'number' || !Number.isInteger(duration) || duration < min || duration > max)
  ) {
    throw new HttpError(
      400,
      'invalid_body',
      `sessionDurationInMinutes must be an integer from ${min} to ${max}`,
    );
  }
  return { roomIdentifier: String(value.roomIdentifier), sessionDurationInMinutes: duration };
}

export interface ChatTokensRouterDeps extends Pick<DirectoryDeps, 'ivs' | 'table' | 'logger' | 'clock'> {
  readonly policy: ChatPolicy;
  readonly authenticate: RequestHandler;
  readonly limits: readonly RequestHandler[];
}

export function chatTokensRouter(deps: ChatTokensRouterDeps): Router {
  const { ivs, table, policy, logger, clock, authenticate, limits } = deps;
  const router = Router();
  router.post(
    '/v1/chat-tokens',
    requireJson,
    jsonBody,
    authenticate,
    ...limits,
    async (req: Request, res: Response) => {
      const request = parseTokenRequest(req.body);
      const caller = callerOf(res);
      const actor = actorOf(policy, caller);
      const base = decide(policy, caller, request.roomIdentifier);
      if (!base.allowed) throw new HttpError(403, 'forbidden', base.reason);

      // The room, the caller's membership, bans and timeout in one round trip. A room the table does not know is
      // one made outside the API: public, no owner (IVS answers 404 if it does not exist at all).
      const roomId = parseRoomArn(request.roomIdentifier)?.id ?? '';
      const roomKey = keys.room(roomId);
      const memberKey = keys.member(roomId, actor.userId);
      const banKey = keys.roomBan(roomId, actor.userId);
      const timeoutKey = keys.timeout(roomId, actor.userId);
      const appBanKey = keys.appBan(actor.userId);
      // Bans and timeouts ride along in the same read: still one round trip.
      const items = await batchGet(
        table.client,
        table.name,
        actor.signedIn ? [roomKey, memberKey, banKey, timeoutKey, appBanKey] : [roomKey],
      );
      const now = clock();
      const appBan = parseRestriction(itemAt(items, appBanKey), now);
      const ban = appBan ?? parseRestriction(itemAt(items, banKey), now);
      if (ban) throw bannedError(ban, appBan !== undefined);
      const timeout = parseRestriction(itemAt(items, timeoutKey), now);
      const room = parseRoom(itemAt(items, roomKey));
      if (room && room.arn !== request.roomIdentifier) {
        throw new HttpError(404, 'room_not_found', 'the room does not exist');
      }
      const roomRole = actor.signedIn ? parseMembership(itemAt(items, memberKey))?.role : undefined;
      if (room?.privacy === 'private' && roomRole === undefined && !actor.isAdmin) {
        throw new HttpError(403, 'not_a_member', 'this room is private and you are not a member');
      }
      const decision = decide(policy, caller, request.roomIdentifier, {
        roomRole,
        sendBlocked: timeout !== undefined,
      });
      if (!decision.allowed) throw new HttpError(403, 'forbidden', decision.reason);
      const { grant } = decision;
      const sessionDurationInMinutes = Math.min(
        request.sessionDurationInMinutes ?? IVS_LIMITS.sessionDurationMinutes.default,
        grant.maxSessionMinutes,
      );
      // Where the user holds a token, written beside the IVS call (no added wait): an app-wide ban
      // disconnects them from these rooms. Both are awaited, so nothing is left running after the
      // answer; the IVS failure, if any, is the one reported.
      const [created, recorded] = await Promise.allSettled([
        ivs.send(
          new CreateChatTokenCommand({
            roomIdentifier: request.roomIdentifier,
            userId: grant.userId,
            capabilities: [...grant.capabilities],
            sessionDurationInMinutes,
            attributes: grant.attributes,
          }),
        ),
        actor.signedIn
          ? recordSession(
              table,
              grant.userId,
              request.roomIdentifier,
              new Date(now + sessionDurationInMinutes * 60_000),
              actor.isAdmin,
            )
          : Promise.resolve(),
      ]);
      if (created.status === 'rejected') throw mapIvsError(created.reason);
      if (recorded.status === 'rejected') throw mapTableError(recorded.reason);
      const output = created.value;
      const { token, tokenExpirationTime, sessionExpirationTime } = output;
      if (
        typeof token !== 'string' ||
        !(tokenExpirationTime instanceof Date) ||
        !(sessionExpirationTime instanceof Date)
      ) {
        throw new HttpError(502, 'upstream_error', 'IVS Chat answered without a token');
      }
      logger.info('chat token issued', {
        requestId: locals(res).requestId,
        role: grant.role,
        capabilities: grant.capabilities,
        sessionDurationInMinutes,
      });
      // A chat token is a bearer credential: never cache it.
      res.set('Cache-Control', 'no-store').json({
        token,
        tokenExpirationTime: tokenExpirationTime.toISOString(),
        sessionExpirationTime: sessionExpirationTime.toISOString(),
        userId: grant.userId,
        capabilities: grant.capabilities,
        ...(timeout?.until === undefined ? {} : { sendBlockedUntil: timeout.until }),
      });
    },
  );
  return router;
}

/** 403 `banned`, with the end time and the moderator's reason when there are (the user is told why). */
export function bannedError(ban: Restriction, appWide: boolean): HttpError {
  const scope = appWide ? 'from chat' : 'from this room';
  return new HttpError(
    403,
    'banned',
    ban.until === undefined ? `you are banned ${scope}` : `you are banned ${scope} until ${ban.until}`,
    {
      extensions: {
        scope: appWide ? 'app' : 'room',
        ...(ban.until === undefined ? {} : { until: ban.until }),
        ...(ban.reason === undefined ? {} : { reason: ban.reason }),
      },
    },
  );
}
