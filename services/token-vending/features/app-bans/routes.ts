/**
 * /v1/bans/{userId}: app-wide bans (admins). A banned user gets no token for any room, reads no
 * history, and is disconnected from every room where they hold a session, again whenever they
 * reconnect with an older token, until the latest session issued to them there has ended.
 */
import * as z from 'zod/mini';
import { actorOf, authorizeApp, resolveUser } from '../../access/room-access.js';
import { disconnectUser, recordRevocation } from '../../access/revocations.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { HttpError } from '../../platform/problem.js';
import { callerOf, requestIdOf } from '../../platform/request-context.js';
import { defineRoute, type Route } from '../../platform/route.js';
import { batchGet, itemAt } from '../../platform/table.js';
import { describeError } from '../../../../shared/logger.js';
import { parseRoomArn } from '../../../../shared/ivs/arn.js';
import { keys } from '../../../../shared/table/keys.js';
import { named, userPath } from '../../platform/fields.js';
import { openSessions } from '../chat-tokens/sessions-store.js';
import { BanBody, Restriction as RestrictionSchema } from '../moderation/schema.js';
import { apiRestriction } from '../moderation/routes.js';
import {
  deleteRestriction,
  parseRestriction,
  putRestriction,
  type Restriction,
} from '../moderation/restrictions-store.js';

const UserParams = z.strictObject({ userId: userPath });
const AppBan = named(
  z.object({ ...RestrictionSchema.def.shape, rooms: z.number() }),
  'AppBan',
  'An app-wide ban; `rooms`: how many rooms the user held a session in (each was disconnected).',
);

/** DisconnectUser calls at once (IVS allows 100 TPS, shared with moderation). */
const DISCONNECT_BATCH = 20;

export function appBanRoutes(deps: ServiceDeps): Route[] {
  const { ivs, table, policy, logger, clock } = deps;
  const iso = (ms: number): string => new Date(ms).toISOString();
  const admin = async (res: Parameters<typeof callerOf>[0], segment: string) => {
    const actor = actorOf(policy, callerOf(res));
    const target = resolveUser(segment, actor);
    await authorizeApp(deps, 'appBan', actor);
    return { actor, target };
  };

  const put = defineRoute({
    operationId: 'banUserAppWide',
    method: 'put',
    path: '/v1/bans/{userId}',
    tag: 'app-bans',
    summary: 'Ban a user from chat (every room)',
    description:
      'Admins only. No token for any room; disconnected from every room where the user holds a session within seconds, and again on every reconnect with an older token. Admins themselves are bound by no ban: take the admin role away in the identity provider.',
    auth: 'caller',
    params: UserParams,
    body: BanBody,
    responses: {
      200: { description: 'Replaced one in force', schema: AppBan },
      201: { description: 'Imposed', schema: AppBan },
    },
    problems: [401, 403, 415, 503],
    handler: async ({ params, body, res }) => {
      const { actor, target } = await admin(res, params.userId);
      if (target.self) throw new HttpError(403, 'forbidden', 'you cannot ban yourself');
      const at = clock();
      const minutes = body.durationMinutes;
      const restriction: Restriction = {
        userId: target.userId,
        reason: body.reason,
        until: minutes === undefined ? undefined : iso(at + minutes * 60_000),
        by: actor.userId,
        since: iso(at),
      };
      const { replaced } = await putRestriction(table, 'appBan', undefined, restriction, at);
      // Every room where the user holds a session, a batch at a time: revocations first (the sweep
      // closes what a failed disconnect leaves open), then the disconnects.
      const sessions = await openSessions(table, target.userId, at);
      let failed = 0;
      for (let start = 0; start < sessions.length; start += DISCONNECT_BATCH) {
        await Promise.all(
          sessions.slice(start, start + DISCONNECT_BATCH).map(async ({ roomArn }) => {
            const roomId = parseRoomArn(roomArn)?.id;
            try {
              if (roomId !== undefined)
                await recordRevocation(table, { id: roomId, arn: roomArn }, target.userId, at);
              await disconnectUser(ivs, roomArn, target.userId);
            } catch (error) {
              failed++;
              logger.warn('app-wide ban: a disconnect failed', {
                requestId: requestIdOf(res),
                ...describeError(error),
              });
            }
          }),
        );
      }
      logger.info('app-wide ban set', {
        requestId: requestIdOf(res),
        rooms: sessions.length,
        failed,
        replaced,
      });
      // The ban stands either way; a disconnect IVS refused is answered as unavailable so the admin
      // retries (the PUT is idempotent and disconnects again).
      if (failed > 0) {
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
      return {
        status: replaced ? 200 : 201,
        body: { ...apiRestriction(restriction), rooms: sessions.length },
      };
    },
  });

  const lift = defineRoute({
    operationId: 'liftAppBan',
    method: 'delete',
    path: '/v1/bans/{userId}',
    tag: 'app-bans',
    summary: 'Lift an app-wide ban',
    auth: 'caller',
    params: UserParams,
    responses: { 204: { description: 'Lifted (or there was none)' } },
    problems: [401, 403],
    handler: async ({ params, res }) => {
      const { target } = await admin(res, params.userId);
      await deleteRestriction(table, 'appBan', undefined, target.userId, clock());
      return { status: 204 };
    },
  });

  const read = defineRoute({
    operationId: 'readAppBan',
    method: 'get',
    path: '/v1/bans/{userId}',
    tag: 'app-bans',
    summary: "Read a user's app-wide ban",
    auth: 'caller',
    params: UserParams,
    responses: { 200: { description: 'The ban in force', schema: RestrictionSchema } },
    problems: [401, 403, 404],
    handler: async ({ params, res }) => {
      const { target } = await admin(res, params.userId);
      const key = keys.appBan(target.userId);
      const items = await batchGet(table.client, table.name, [key]);
      const ban = parseRestriction(itemAt(items, key), clock());
      if (!ban) throw new HttpError(404, 'not_found', 'this user is not banned');
      return { body: apiRestriction(ban) };
    },
  });

  return [put, lift, read];
}
