/**
 * /v1/rooms: create, read, list, change and delete rooms, and pin a message. IVS holds the room; the
 * table holds what IVS does not (privacy, owner, modes, the pin, memberships) and a copy of the room's
 * settings for cheap reads (room operations are 5 TPS per account).
 */
import {
  CreateRoomCommand,
  DeleteRoomCommand,
  SendEventCommand,
  UpdateRoomCommand,
  type IvschatClient,
} from '@aws-sdk/client-ivschat';
import { IVS_LIMITS, attributesByteSize } from '../../../../shared/ivs/limits.js';
import { PRIVACY_TAG, STACK_TAG } from '../../../../shared/ivs/tags.js';
import { decodeUserPath } from '../../../../shared/api/user-path.js';
import { describeError } from '../../../../shared/logger.js';
import { keys } from '../../../../shared/table/keys.js';
import { actorOf, authorize, authorizeApp, loadRoomAccess } from '../../access/room-access.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { decodeNextToken, encodeNextToken } from '../../platform/pagination.js';
import { HttpError, unauthorized } from '../../platform/problem.js';
import { callerOf, requestIdOf } from '../../platform/request-context.js';
import { defineRoute, type Route } from '../../platform/route.js';
import { batchGet, itemAt } from '../../platform/table.js';
import { mapIvsError } from '../../platform/upstream-errors.js';
import { userIdProblem } from '../../auth/user-id.js';
import { deleteMembership, putMembership } from '../members/store.js';
import { appendLog } from '../moderation/log-store.js';
import { createIvsRoomSync, recordFromIvs } from './directory.js';
import { listRooms } from './listing.js';
import {
  CreateRoomBody,
  ListRoomsQuery,
  PinBody,
  Room,
  RoomList,
  RoomParams,
  UpdateRoomBody,
  type ApiRoom,
} from './schema.js';
import {
  deleteRoomItem,
  deleteRoomPartition,
  putRoomIfAbsent,
  updateRoom,
  writeRoomTombstone,
  type RoomChanges,
  type RoomRecord,
} from './store.js';
import type { RoomRole } from '../members/store.js';

/** Room bodies may carry 49 tags of up to 128 + 256 characters. */
const ROOM_BODY_LIMIT_BYTES = 65536;
const ORDER_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z#[a-zA-Z0-9]{12}$/;

/** Event names of the room's own announcements (clients update at once). */
export const ROOM_EVENTS = { pin: 'app:pin', unpin: 'app:unpin', modes: 'app:modes' } as const;

export function toApiRoom(room: RoomRecord, myRole: RoomRole | undefined): ApiRoom {
  return {
    id: room.id,
    arn: room.arn,
    name: room.name,
    privacy: room.privacy,
    createTime: room.createTime,
    updateTime: room.updateTime,
    maximumMessageLength: room.maximumMessageLength,
    maximumMessageRatePerSecond: room.maximumMessageRatePerSecond,
    ...(room.messageReviewHandler ? { messageReviewHandler: { ...room.messageReviewHandler } } : {}),
    tags: room.tags,
    modes: { ...room.modes },
    ...(room.pinned ? { pinned: { ...room.pinned } } : {}),
    myRole: myRole ?? null,
  };
}

/** Deletes an IVS room, treating "already gone" as done. */
async function deleteIvsRoom(ivs: IvschatClient, arn: string): Promise<void> {
  try {
    await ivs.send(new DeleteRoomCommand({ identifier: arn }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return;
    throw mapIvsError(error);
  }
}

/** SendEvent to the room; its attributes are IVS's 1 KB string map. */
export async function announce(
  ivs: IvschatClient,
  roomArn: string,
  eventName: string,
  attributes: Record<string, string>,
): Promise<void> {
  try {
    await ivs.send(new SendEventCommand({ roomIdentifier: roomArn, eventName, attributes }));
  } catch (error) {
    // A room already gone from IVS has nobody to tell.
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return;
    throw mapIvsError(error);
  }
}

export function roomRoutes(deps: ServiceDeps): Route[] {
  const { ivs, table, policy, rooms: roomsConfig, logger, clock } = deps;
  const syncIvsRooms = createIvsRoomSync(deps);

  const createRoom = defineRoute({
    operationId: 'createRoom',
    method: 'post',
    path: '/v1/rooms',
    tag: 'rooms',
    summary: 'Create a room',
    description:
      'Creates the IVS room with the configured review handler and logging, records it, and makes the caller its owner. Room creators (policy roomCreatorRoles) and admins only.',
    auth: 'caller',
    body: CreateRoomBody,
    bodyLimitBytes: ROOM_BODY_LIMIT_BYTES,
    responses: { 201: { description: 'The room', schema: Room, headers: { Location: 'the room' } } },
    problems: [401, 403, 413, 415, 502, 503],
    handler: async ({ body: request, res }) => {
      const actor = actorOf(policy, callerOf(res));
      await authorizeApp(deps, 'createRoom', actor);
      let created;
      try {
        created = await ivs.send(
          new CreateRoomCommand({
            ...(request.name === undefined ? {} : { name: request.name }),
            ...(request.maximumMessageLength === undefined
              ? {}
              : { maximumMessageLength: request.maximumMessageLength }),
            ...(request.maximumMessageRatePerSecond === undefined
              ? {}
              : { maximumMessageRatePerSecond: request.maximumMessageRatePerSecond }),
            ...(roomsConfig.reviewHandlerArn === undefined
              ? {}
              : {
                  messageReviewHandler: {
                    uri: roomsConfig.reviewHandlerArn,
                    fallbackResult: roomsConfig.fallbackResult,
                  },
                }),
            ...(roomsConfig.loggingConfigurationArn === undefined
              ? {}
              : { loggingConfigurationIdentifiers: [roomsConfig.loggingConfigurationArn] }),
            tags: {
              ...request.tags,
              [PRIVACY_TAG]: request.privacy,
              // The stack's IAM grant covers only rooms with this tag, and CreateRoom only with it.
              ...(roomsConfig.stackTag === undefined ? {} : { [STACK_TAG]: roomsConfig.stackTag }),
            },
          }),
        );
      } catch (error) {
        throw mapIvsError(error);
      }
      const room = recordFromIvs(created, { privacy: request.privacy, ownerId: actor.userId });

      // The IVS room exists; now the records. If either write fails, undo what was done (the room
      // record, then the IVS room) so neither side is left orphaned, and answer the failure. If the
      // undo fails too, the sweep finds the tagged room without a record and finishes it.
      let recorded = false;
      try {
        recorded = await putRoomIfAbsent(table, room);
        if (!recorded) throw new HttpError(409, 'conflict', 'a room with this id is already recorded');
        await putMembership(table, room, actor.userId, 'owner', room.createTime);
      } catch (error) {
        const undo = async (): Promise<void> => {
          if (recorded) {
            await deleteMembership(table, room.id, actor.userId);
            await deleteRoomItem(table, room.id);
          }
          await deleteIvsRoom(ivs, room.arn);
        };
        try {
          await undo();
          logger.warn('room creation undone after a failed write', {
            requestId: requestIdOf(res),
            roomId: room.id,
          });
        } catch (undoError) {
          logger.error('room creation could not be undone; the sweep will finish it', {
            requestId: requestIdOf(res),
            roomId: room.id,
            ...describeError(undoError),
          });
        }
        throw error;
      }
      logger.info('room created', { requestId: requestIdOf(res), roomId: room.id, privacy: room.privacy });
      return { status: 201, headers: { Location: `/v1/rooms/${room.id}` }, body: toApiRoom(room, 'owner') };
    },
  });

  const listRoomsRoute = defineRoute({
    operationId: 'listRooms',
    method: 'get',
    path: '/v1/rooms',
    tag: 'rooms',
    summary: 'List rooms',
    description:
      "Newest first. Without memberId: public rooms and the caller's private ones. memberId (`me` or the caller's id; another member's is for admins) lists the rooms that member belongs to.",
    auth: 'caller',
    query: ListRoomsQuery,
    responses: { 200: { description: 'A page of rooms', schema: RoomList } },
    problems: [401, 403],
    handler: async ({ query, res }) => {
      const actor = actorOf(policy, callerOf(res));
      if (!actor.signedIn) throw unauthorized('missing_token', 'sign in to list rooms');
      let memberId: string | undefined;
      if (query.memberId !== undefined) {
        const ref = decodeUserPath(query.memberId);
        memberId = ref.self ? actor.userId : ref.userId;
        if (userIdProblem(memberId) !== undefined) {
          throw new HttpError(400, 'invalid_parameter', 'memberId must be "me" or a user id');
        }
        if (memberId !== actor.userId) await authorizeApp(deps, 'listOthersRooms', actor);
      }
      const scope = JSON.stringify(['rooms', actor.userId, memberId ?? null, query.name ?? null]);
      const now = clock();
      const before = decodeNextToken(query.nextToken, scope, now, (position) => ORDER_KEY.test(position));
      if (before === undefined) await syncIvsRooms();
      const page = await listRooms(table, {
        memberId,
        callerId: actor.userId,
        name: query.name,
        maxResults: query.maxResults,
        before,
      });
      return {
        body: {
          rooms: page.rooms.map(({ room, myRole }) => toApiRoom(room, myRole)),
          ...(page.next === undefined ? {} : { nextToken: encodeNextToken(scope, page.next, now) }),
        },
      };
    },
  });

  const getRoomRoute = defineRoute({
    operationId: 'getRoom',
    method: 'get',
    path: '/v1/rooms/{roomId}',
    tag: 'rooms',
    summary: 'Read a room',
    description: 'A private room is a 404 to whoever may not read it.',
    auth: 'caller',
    params: RoomParams,
    responses: { 200: { description: 'The room', schema: Room } },
    problems: [401, 403, 404],
    handler: async ({ params, res }) => {
      const access = await loadRoomAccess(deps, params.roomId, actorOf(policy, callerOf(res)), {
        adopt: true,
      });
      authorize('readRoom', access);
      return { body: toApiRoom(access.room, access.membership) };
    },
  });

  const updateRoomRoute = defineRoute({
    operationId: 'updateRoom',
    method: 'patch',
    path: '/v1/rooms/{roomId}',
    tag: 'rooms',
    summary: "Change a room's name, limits or modes",
    description:
      'The name and limits are for the owner and admins; modes (slow mode, members-only sending, held for review) also for moderators. Mode changes are announced with the event `app:modes`.',
    auth: 'caller',
    params: RoomParams,
    body: UpdateRoomBody,
    bodyLimitBytes: ROOM_BODY_LIMIT_BYTES,
    responses: { 200: { description: 'The room as changed', schema: Room } },
    problems: [401, 403, 404, 413, 415, 502, 503],
    handler: async ({ params, body, res }) => {
      const access = await loadRoomAccess(deps, params.roomId, actorOf(policy, callerOf(res)), {
        adopt: true,
      });
      const { modes, privacy: _privacy, ...settings } = body;
      const settingKeys = Object.keys(settings);
      if (settingKeys.length > 0) authorize('updateRoom', access);
      if (modes !== undefined) authorize('setModes', access);
      if (settingKeys.length === 0 && (modes === undefined || Object.keys(modes).length === 0)) {
        authorize('readRoom', access);
        return { body: toApiRoom(access.room, access.membership) };
      }
      const changes: RoomChanges = { updateTime: new Date(clock()).toISOString() };
      for (const [key, value] of Object.entries(modes ?? {})) {
        if (value !== undefined) Object.assign(changes, { [key]: value });
      }
      if (settingKeys.length > 0) {
        let updated;
        try {
          updated = await ivs.send(new UpdateRoomCommand({ identifier: access.room.arn, ...settings }));
        } catch (error) {
          throw mapIvsError(error);
        }
        Object.assign(changes, settings, {
          updateTime: (updated.updateTime ?? new Date(clock())).toISOString(),
        });
      }
      // IVS first, then the copy: a failure here leaves IVS ahead, and a retry of the same PATCH
      // brings the copy level (the request is idempotent).
      const stored = await updateRoom(table, params.roomId, changes);
      if (!stored) throw new HttpError(404, 'room_not_found', 'the room does not exist');
      if (modes !== undefined) {
        await appendLog(table, params.roomId, {
          time: new Date(clock()).toISOString(),
          action: 'setModes',
          by: access.actor.userId,
          reason: Object.entries(modes)
            .map(([key, value]) => `${key}=${String(value)}`)
            .join(' '),
        });
        await announce(ivs, stored.arn, ROOM_EVENTS.modes, {
          slowModeSeconds: String(stored.modes.slowModeSeconds),
          membersOnlySend: String(stored.modes.membersOnlySend),
          holdForReview: String(stored.modes.holdForReview),
        });
      }
      logger.info('room updated', {
        requestId: requestIdOf(res),
        roomId: params.roomId,
        fields: [...settingKeys, ...Object.keys(modes ?? {})],
      });
      return { body: toApiRoom(stored, access.membership) };
    },
  });

  const deleteRoomRoute = defineRoute({
    operationId: 'deleteRoom',
    method: 'delete',
    path: '/v1/rooms/{roomId}',
    tag: 'rooms',
    summary: 'Delete a room',
    description:
      'The IVS room and everything kept for it go: members, bans, the log and its history. Messages still in flight to the history function are dropped when they arrive.',
    auth: 'caller',
    params: RoomParams,
    responses: { 204: { description: 'Deleted' } },
    problems: [401, 403, 404, 502, 503],
    handler: async ({ params, res }) => {
      const access = await loadRoomAccess(deps, params.roomId, actorOf(policy, callerOf(res)), {
        adopt: false,
      });
      authorize('deleteRoom', access);
      // The tombstone first: the history function drops records for a deleted room from here on,
      // and the sweep deletes what it wrote meanwhile. Then IVS (its connections close with it),
      // then everything kept for the room; the room record goes last, so a retry finishes the job.
      await writeRoomTombstone(table, params.roomId, clock());
      await deleteIvsRoom(ivs, access.room.arn);
      const items = await deleteRoomPartition(table, params.roomId);
      logger.info('room deleted', { requestId: requestIdOf(res), roomId: params.roomId, items });
      return { status: 204 };
    },
  });

  const pinRoute = defineRoute({
    operationId: 'pinMessage',
    method: 'put',
    path: '/v1/rooms/{roomId}/pin',
    tag: 'rooms',
    summary: 'Pin a message above the chat',
    description:
      "Pins a moderator's own `text`, or a message of the room's history (`messageId`), replacing any pin. Announced with the event `app:pin` (attributes text, messageId, by, at; text is left out when it would not fit IVS's 1 KB of attributes, and clients read the room instead).",
    auth: 'caller',
    params: RoomParams,
    body: PinBody,
    responses: { 200: { description: 'The room with its pin', schema: Room } },
    problems: [401, 403, 404, 415, 502, 503],
    handler: async ({ params, body, res }) => {
      const access = await loadRoomAccess(deps, params.roomId, actorOf(policy, callerOf(res)), {
        adopt: true,
      });
      authorize('pin', access);
      let text = body.text;
      if (body.messageId !== undefined) {
        const key = keys.message(params.roomId, body.messageId);
        const items = await batchGet(table.client, table.name, [key]);
        const content: unknown = itemAt(items, key)?.content;
        if (typeof content !== 'string') {
          throw new HttpError(404, 'not_found', "no message with this id in the room's history");
        }
        text = content;
      }
      const at = new Date(clock()).toISOString();
      const pinned = {
        text: text ?? '',
        ...(body.messageId === undefined ? {} : { messageId: body.messageId }),
        by: access.actor.userId,
        at,
      };
      const stored = await updateRoom(table, params.roomId, { pinned });
      if (!stored) throw new HttpError(404, 'room_not_found', 'the room does not exist');
      await appendLog(table, params.roomId, {
        time: at,
        action: 'pin',
        by: access.actor.userId,
        ...(body.messageId === undefined ? {} : { messageId: body.messageId }),
      });
      const attributes: Record<string, string> = { ...pinned };
      if (attributesByteSize(attributes) > IVS_LIMITS.attributesMaxBytes) delete attributes.text;
      await announce(ivs, stored.arn, ROOM_EVENTS.pin, attributes);
      return { body: toApiRoom(stored, access.membership) };
    },
  });

  const unpinRoute = defineRoute({
    operationId: 'unpinMessage',
    method: 'delete',
    path: '/v1/rooms/{roomId}/pin',
    tag: 'rooms',
    summary: 'Unpin the pinned message',
    description: 'Announced with the event `app:unpin`.',
    auth: 'caller',
    params: RoomParams,
    responses: { 204: { description: 'Unpinned (or nothing was pinned)' } },
    problems: [401, 403, 404, 502, 503],
    handler: async ({ params, res }) => {
      const access = await loadRoomAccess(deps, params.roomId, actorOf(policy, callerOf(res)), {
        adopt: true,
      });
      authorize('pin', access);
      if (access.room.pinned !== undefined) {
        const at = new Date(clock()).toISOString();
        await updateRoom(table, params.roomId, { pinned: null });
        await appendLog(table, params.roomId, { time: at, action: 'unpin', by: access.actor.userId });
        await announce(ivs, access.room.arn, ROOM_EVENTS.unpin, { by: access.actor.userId, at });
      }
      return { status: 204 };
    },
  });

  return [createRoom, listRoomsRoute, getRoomRoute, updateRoomRoute, deleteRoomRoute, pinRoute, unpinRoute];
}
