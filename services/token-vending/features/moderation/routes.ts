/**
 * Moderation in a room: bans and timeouts (imposed and lifted under the same rules), deleting
 * messages, events (announcements) and the moderation log. All state is in the table, checked on
 * every token request and, for senders already connected, by the review function on every message.
 */
import { DeleteMessageCommand, SendEventCommand } from '@aws-sdk/client-ivschat';
import type { RoomAction } from '../../../../shared/access/model.js';
import { userIdProblem } from '../../auth/user-id.js';
import {
  actorOf,
  authorize,
  loadRoomAccess,
  resolveUser,
  type RoomAccess,
} from '../../access/room-access.js';
import { revokeAccess } from '../../access/revocations.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { decodeNextToken, encodeNextToken } from '../../platform/pagination.js';
import { callerOf, requestIdOf } from '../../platform/request-context.js';
import { defineRoute, type Route } from '../../platform/route.js';
import { mapIvsError } from '../../platform/upstream-errors.js';
import type { Response } from 'express';
import { RoomParams } from '../rooms/schema.js';
import { appendLog, queryLog, type LogEntry } from './log-store.js';
import {
  deleteRestriction,
  putRestriction,
  queryRestrictions,
  type Restriction,
} from './restrictions-store.js';
import {
  BAN_MINUTES,
  BanBody,
  BanList,
  DeleteMessageBody,
  EventBody,
  MessageParams,
  ModerationLog,
  PageQuery,
  Restriction as RestrictionSchema,
  SentEvent,
  TargetParams,
  TimeoutBody,
  TimeoutList,
} from './schema.js';

const LOG_KEY = /^LOG#\d{4}-\d{2}-\d{2}T[\d:.]+Z#[0-9a-f]{8}$/;

export function apiRestriction(restriction: Restriction): Record<string, string> {
  return {
    userId: restriction.userId,
    ...(restriction.reason === undefined ? {} : { reason: restriction.reason }),
    ...(restriction.until === undefined ? {} : { until: restriction.until }),
    by: restriction.by,
    since: restriction.since,
  };
}

export function moderationRoutes(deps: ServiceDeps): Route[] {
  const { ivs, table, policy, logger, clock } = deps;
  const iso = (ms: number): string => new Date(ms).toISOString();

  const accessOf = (res: Response, roomId: string, targetSegment?: string): Promise<RoomAccess> => {
    const actor = actorOf(policy, callerOf(res));
    const target = targetSegment === undefined ? undefined : resolveUser(targetSegment, actor);
    return loadRoomAccess(deps, roomId, actor, { adopt: true, ...(target ? { target } : {}) });
  };
  const log = async (roomId: string, entry: Omit<LogEntry, 'time'>, at: number): Promise<void> => {
    await appendLog(table, roomId, { ...entry, time: iso(at) });
  };

  const routes: Route[] = [];
  for (const kind of ['ban', 'timeout'] as const) {
    const plural = kind === 'ban' ? 'bans' : 'timeouts';
    const impose: RoomAction = kind === 'ban' ? 'ban' : 'timeOut';
    const lift: RoomAction = kind === 'ban' ? 'liftBan' : 'liftTimeout';
    const Body = kind === 'ban' ? BanBody : TimeoutBody;
    const noun = kind === 'ban' ? 'Ban' : 'Time out';

    routes.push(
      defineRoute({
        operationId: kind === 'ban' ? 'banUser' : 'timeOutUser',
        method: 'put',
        path: `/v1/rooms/{roomId}/${plural}/{userId}`,
        tag: 'moderation',
        summary: `${noun} a user in the room`,
        description:
          kind === 'ban'
            ? `The user's connections to the room close at once and again whenever they reconnect with an older token; no chat token for the room until the ban ends (403 \`banned\`, with its end and reason). durationMinutes ${BAN_MINUTES.min}–${BAN_MINUTES.max}; none: permanent. The reason is told to the banned user only.`
            : 'The user keeps reading but may not send: the review function refuses what they send, whatever client, and tokens issued meanwhile lack SEND_MESSAGE.',
        auth: 'caller',
        params: TargetParams,
        body: Body,
        responses: {
          200: { description: 'Replaced one in force', schema: RestrictionSchema },
          201: { description: 'Imposed', schema: RestrictionSchema },
        },
        problems: [401, 403, 404, 415, 502, 503],
        handler: async ({ params, body, res }) => {
          const access = await accessOf(res, params.roomId, params.userId);
          authorize(impose, access);
          const targetId = access.target?.userId ?? '';
          const at = clock();
          const minutes = body.durationMinutes;
          const restriction: Restriction = {
            userId: targetId,
            reason: body.reason,
            until: minutes === undefined ? undefined : iso(at + minutes * 60_000),
            by: access.actor.userId,
            since: iso(at),
          };
          const { replaced } = await putRestriction(table, kind, access.room.id, restriction, at);
          // A ban ends the user's access to the room. A timeout keeps them reading: the review function
          // refuses what they send (it reads the same item), and new tokens lack SEND_MESSAGE.
          if (kind === 'ban') await revokeAccess(deps, access.room, targetId);
          await log(
            access.room.id,
            {
              action: kind,
              by: access.actor.userId,
              target: targetId,
              reason: body.reason,
              until: restriction.until,
            },
            at,
          );
          logger.info(`${kind} set`, { requestId: requestIdOf(res), roomId: access.room.id, replaced });
          return { status: replaced ? 200 : 201, body: apiRestriction(restriction) };
        },
      }),
      defineRoute({
        operationId: kind === 'ban' ? 'liftBan' : 'liftTimeout',
        method: 'delete',
        path: `/v1/rooms/{roomId}/${plural}/{userId}`,
        tag: 'moderation',
        summary: `Lift a ${kind}`,
        description: 'Lifting obeys the same rules as imposing: nobody lifts their own.',
        auth: 'caller',
        params: TargetParams,
        responses: { 204: { description: 'Lifted (or there was none)' } },
        problems: [401, 403, 404],
        handler: async ({ params, res }) => {
          const access = await accessOf(res, params.roomId, params.userId);
          authorize(lift, access);
          const targetId = access.target?.userId ?? '';
          const at = clock();
          const existed = await deleteRestriction(table, kind, access.room.id, targetId, at);
          if (existed) {
            await log(
              access.room.id,
              { action: kind === 'ban' ? 'unban' : 'untimeout', by: access.actor.userId, target: targetId },
              at,
            );
          }
          return { status: 204 };
        },
      }),
      defineRoute({
        operationId: kind === 'ban' ? 'listBans' : 'listTimeouts',
        method: 'get',
        path: `/v1/rooms/{roomId}/${plural}`,
        tag: 'moderation',
        summary: `List the room's ${plural} in force`,
        auth: 'caller',
        params: RoomParams,
        query: PageQuery,
        responses: {
          200: {
            description: `A page of ${plural}, in user-id order`,
            schema: kind === 'ban' ? BanList : TimeoutList,
          },
        },
        problems: [401, 403, 404],
        handler: async ({ params, query, res }) => {
          const access = await accessOf(res, params.roomId);
          authorize(kind === 'ban' ? 'listBans' : 'listTimeouts', access);
          const scope = JSON.stringify([plural, access.room.id]);
          const at = clock();
          const after = decodeNextToken(query.nextToken, scope, at, (id) => userIdProblem(id) === undefined);
          const page = await queryRestrictions(table, kind, access.room.id, {
            after,
            limit: query.maxResults,
            now: at,
          });
          return {
            body: {
              [plural]: page.items.map(apiRestriction),
              ...(page.more && page.last !== undefined
                ? { nextToken: encodeNextToken(scope, page.last, at) }
                : {}),
            },
          };
        },
      }),
    );
  }

  routes.push(
    defineRoute({
      operationId: 'deleteMessage',
      method: 'delete',
      path: '/v1/rooms/{roomId}/messages/{messageId}',
      tag: 'moderation',
      summary: 'Delete a message',
      description: "IVS's DeleteMessage: every client in the room is told, and history drops it.",
      auth: 'caller',
      params: MessageParams,
      body: DeleteMessageBody,
      bodyOptional: true,
      responses: { 204: { description: 'Deleted' } },
      problems: [401, 403, 404, 415, 502, 503],
      handler: async ({ params, body, res }) => {
        const access = await accessOf(res, params.roomId);
        authorize('deleteMessage', access);
        try {
          await ivs.send(
            new DeleteMessageCommand({
              roomIdentifier: access.room.arn,
              id: params.messageId,
              ...(body.reason ? { reason: body.reason } : {}),
            }),
          );
        } catch (error) {
          throw mapIvsError(error);
        }
        await log(
          access.room.id,
          {
            action: 'deleteMessage',
            by: access.actor.userId,
            reason: body.reason,
            messageId: params.messageId,
          },
          clock(),
        );
        return { status: 204 };
      },
    }),
    defineRoute({
      operationId: 'sendEvent',
      method: 'post',
      path: '/v1/rooms/{roomId}/events',
      tag: 'moderation',
      summary: 'Send an event to the room (an announcement)',
      description:
        "IVS's SendEvent. Event names starting with aws: (IVS's) or app: (this service's) are refused.",
      auth: 'caller',
      params: RoomParams,
      body: EventBody,
      responses: { 200: { description: 'Sent', schema: SentEvent } },
      problems: [401, 403, 404, 415, 502, 503],
      handler: async ({ params, body, res }) => {
        const access = await accessOf(res, params.roomId);
        authorize('sendEvent', access);
        let sent;
        try {
          sent = await ivs.send(
            new SendEventCommand({
              roomIdentifier: access.room.arn,
              eventName: body.eventName,
              attributes: body.attributes ?? {},
            }),
          );
        } catch (error) {
          throw mapIvsError(error);
        }
        await log(
          access.room.id,
          { action: 'sendEvent', by: access.actor.userId, eventName: body.eventName },
          clock(),
        );
        return { body: { id: sent.id ?? null } };
      },
    }),
    defineRoute({
      operationId: 'readModerationLog',
      method: 'get',
      path: '/v1/rooms/{roomId}/moderation-log',
      tag: 'moderation',
      summary: 'Who did what to whom, when and why',
      description: 'Newest first, kept 90 days.',
      auth: 'caller',
      params: RoomParams,
      query: PageQuery,
      responses: { 200: { description: 'A page of entries', schema: ModerationLog } },
      problems: [401, 403, 404],
      handler: async ({ params, query, res }) => {
        const access = await accessOf(res, params.roomId);
        authorize('readModerationLog', access);
        const scope = JSON.stringify(['moderation-log', access.room.id]);
        const at = clock();
        const before = decodeNextToken(query.nextToken, scope, at, (position) => LOG_KEY.test(position));
        const page = await queryLog(table, access.room.id, { before, limit: query.maxResults });
        return {
          body: {
            entries: page.items.map((entry) =>
              Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined)),
            ),
            ...(page.more && page.last !== undefined
              ? { nextToken: encodeNextToken(scope, page.last, at) }
              : {}),
          },
        };
      },
    }),
  );
  return routes;
}
