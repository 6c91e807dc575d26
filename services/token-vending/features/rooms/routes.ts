/**
 * /v1/rooms: create, read, list, change and delete rooms. IVS holds the room; the table holds what
 * IVS does not (privacy, owner, memberships) and a copy of the room's settings for cheap reads.
 */
import {
  CreateRoomCommand,
  DeleteRoomCommand,
  UpdateRoomCommand,
  type IvschatClient,
} from '@aws-sdk/client-ivschat';
import { Router, type RequestHandler } from 'express';
import { IVS_LIMITS, codePointLength } from '../../../../shared/ivs/limits.js';
import { describeError } from '../../../../shared/logger.js';
import { actorOf, assertMayManage, assertMayRead } from '../../access/rules.js';
import { HttpError, mapIvsError } from '../../platform/problem.js';
import {
  callerOf,
  integerQuery,
  isValidUserId,
  roomJsonBody,
  onlyQuery,
  requestIdOf,
  requireJson,
  requireObject,
  roomIdParam,
  selfId,
  stringQuery,
} from '../../platform/http.js';
import { decodeNextToken, encodeNextToken } from '../../platform/pagination.js';
import type { ChatPolicy } from '../../access/chat-policy.js';
import {
  PRIVACY_TAG,
  RESERVED_TAG_PREFIXES,
  createIvsRoomSync,
  loadStanding,
  recordFromIvs,
  toApiRoom,
  type DirectoryDeps,
} from './directory.js';
import { listRooms } from './listing.js';
import { deleteMembership, putMembership } from '../members/store.js';
import {
  PRIVACIES,
  deleteRoomItem,
  deleteRoomPartition,
  putRoomIfAbsent,
  updateRoom,
  type Privacy,
  type RoomChanges,
} from './store.js';

export interface RoomsRouterDeps extends DirectoryDeps {
  readonly policy: ChatPolicy;
  readonly authenticate: RequestHandler;
}

const CREATE_FIELDS = [
  'name',
  'privacy',
  'maximumMessageLength',
  'maximumMessageRatePerSecond',
  'tags',
] as const;
const UPDATE_FIELDS = ['name', 'maximumMessageLength', 'maximumMessageRatePerSecond', 'privacy'] as const;
/** One tag is the service's own (the room's privacy), so callers get one fewer than IVS allows. */
export const MAX_CALLER_TAGS = IVS_LIMITS.tags.maxPerResource - 1;

function invalid(field: string, message: string): HttpError {
  return new HttpError(400, 'invalid_body', `${field} ${message}`);
}

function parseName(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const { max, pattern } = IVS_LIMITS.roomName;
  if (typeof value !== 'string' || value.length > max || !pattern.test(value)) {
    throw invalid('name', `must be at most ${max} of the characters a-z A-Z 0-9 - _`);
  }
  return value;
}

function parseLimit(
  value: unknown,
  field: 'maximumMessageLength' | 'maximumMessageRatePerSecond',
): number | undefined {
  if (value === undefined) return undefined;
  const { min, max } = IVS_LIMITS[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function parseTags(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('tags', 'must be an object of string values');
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_CALLER_TAGS) throw invalid('tags', `may hold at most ${MAX_CALLER_TAGS} tags`);
  const { keyMax, valueMax } = IVS_LIMITS.tags;
  const tags: Record<string, string> = {};
  for (const [key, tag] of entries) {
    if (codePointLength(key) < 1 || codePointLength(key) > keyMax) {
      throw invalid('tags', `keys must be 1 to ${keyMax} characters`);
    }
    if (RESERVED_TAG_PREFIXES.some((prefix) => key.toLowerCase().startsWith(prefix))) {
      throw invalid('tags', `keys may not start with ${RESERVED_TAG_PREFIXES.join(' or ')}`);
    }
    if (typeof tag !== 'string' || codePointLength(tag) > valueMax) {
      throw invalid('tags', `values must be strings of at most ${valueMax} characters`);
    }
    Object.defineProperty(tags, key, { value: tag, enumerable: true, writable: true, configurable: true });
  }
  return tags;
}

export interface CreateRoomRequest {
  readonly name: string | undefined;
  readonly privacy: Privacy;
  readonly maximumMessageLength: number | undefined;
  readonly maximumMessageRatePerSecond: number | undefined;
  readonly tags: Record<string, string> | undefined;
}

export function parseCreateRoom(body: unknown): CreateRoomRequest {
  const value = requireObject(body, CREATE_FIELDS);
  const privacy = value.privacy === undefined ? 'public' : PRIVACIES.find((item) => item === value.privacy);
  if (!privacy) throw invalid('privacy', 'must be "public" or "private"');
  return {
    name: parseName(value.name),
    privacy,
    maximumMessageLength: parseLimit(value.maximumMessageLength, 'maximumMessageLength'),
    maximumMessageRatePerSecond: parseLimit(value.maximumMessageRatePerSecond, 'maximumMessageRatePerSecond'),
    tags: parseTags(value.tags),
  };
}

export function parseUpdateRoom(body: unknown): RoomChanges {
  const value = requireObject(body, UPDATE_FIELDS);
  if (value.privacy !== undefined) throw invalid('privacy', 'cannot change; create a new room instead');
  const name = parseName(value.name);
  const maximumMessageLength = parseLimit(value.maximumMessageLength, 'maximumMessageLength');
  const maximumMessageRatePerSecond = parseLimit(
    value.maximumMessageRatePerSecond,
    'maximumMessageRatePerSecond',
  );
  return {
    ...(name === undefined ? {} : { name }),
    ...(maximumMessageLength === undefined ? {} : { maximumMessageLength }),
    ...(maximumMessageRatePerSecond === undefined ? {} : { maximumMessageRatePerSecond }),
  };
}

const ORDER_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z#[a-zA-Z0-9]{12}$/;

/** Deletes an IVS room, treating "already gone" as done. */
async function deleteIvsRoom(ivs: IvschatClient, arn: string): Promise<void> {
  try {
    await ivs.send(new DeleteRoomCommand({ identifier: arn }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return;
    throw mapIvsError(error);
  }
}

export function roomsRouter(deps: RoomsRouterDeps): Router {
  const { ivs, table, policy, rooms: roomsConfig, logger, clock, authenticate } = deps;
  const router = Router();
  const syncIvsRooms = createIvsRoomSync(deps);

  router.post('/v1/rooms', requireJson, roomJsonBody, authenticate, async (req, res) => {
    const request = parseCreateRoom(req.body);
    const actor = actorOf(policy, callerOf(res));
    if (!actor.signedIn) throw new HttpError(401, 'missing_token', 'sign in to create a room');
    if (!actor.mayCreateRooms) throw new HttpError(403, 'forbidden', 'your role may not create rooms');

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
          tags: { ...request.tags, [PRIVACY_TAG]: request.privacy },
        }),
      );
    } catch (error) {
      throw mapIvsError(error);
    }
    const room = recordFromIvs(created, { privacy: request.privacy, ownerId: actor.userId });

    // The IVS room exists; now the records. If either write fails, undo what was done (the room
    // record, then the IVS room) so neither side is left orphaned, and answer the failure.
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
        // Left for an operator: the IVS room carries the privacy tag, so it is never shown as public.
        logger.error('room creation could not be undone', {
          requestId: requestIdOf(res),
          roomId: room.id,
          ...describeError(undoError),
        });
      }
      throw error;
    }
    logger.info('room created', { requestId: requestIdOf(res), roomId: room.id, privacy: room.privacy });
    res
      .status(201)
      .location(`/v1/rooms/${room.id}`)
      .set('Cache-Control', 'no-store')
      .json(toApiRoom(room, 'owner'));
  });

  router.get('/v1/rooms', authenticate, async (req, res) => {
    onlyQuery(req, ['memberId', 'name', 'maxResults', 'nextToken']);
    const callerId = selfId(res);
    const actor = actorOf(policy, callerOf(res));
    const memberParam = stringQuery(req, 'memberId');
    const memberId = memberParam === 'me' ? callerId : memberParam;
    if (memberId !== undefined && !isValidUserId(memberId)) {
      throw new HttpError(400, 'invalid_parameter', 'memberId must be "me" or a user id');
    }
    if (memberId !== undefined && memberId !== callerId && !actor.isAdmin) {
      throw new HttpError(403, 'forbidden', "only admins may list another member's rooms");
    }
    const name = stringQuery(req, 'name');
    if (name !== undefined) parseName(name);
    const { min, max } = IVS_LIMITS.listMaxResults;
    const maxResults = integerQuery(req, 'maxResults', min, max, IVS_LIMITS.listMaxResults.default);
    const scope = JSON.stringify(['rooms', callerId, memberId ?? null, name ?? null]);
    const now = clock();
    const before = decodeNextToken(req.query.nextToken, scope, now, (position) => ORDER_KEY.test(position));
    if (before === undefined) await syncIvsRooms();
    const page = await listRooms(table, { memberId, callerId, name, maxResults, before });
    res.set('Cache-Control', 'no-store').json({
      rooms: page.rooms.map(({ room, myRole }) => toApiRoom(room, myRole)),
      ...(page.next === undefined ? {} : { nextToken: encodeNextToken(scope, page.next, now) }),
    });
  });

  router.get('/v1/rooms/:roomId', authenticate, async (req, res) => {
    const roomId = roomIdParam(req);
    const standing = await loadStanding(deps, roomId, actorOf(policy, callerOf(res)), { adopt: true });
    assertMayRead(standing);
    res.set('Cache-Control', 'no-store').json(toApiRoom(standing.room, standing.role));
  });

  router.patch('/v1/rooms/:roomId', requireJson, roomJsonBody, authenticate, async (req, res) => {
    const roomId = roomIdParam(req);
    const changes = parseUpdateRoom(req.body);
    const standing = await loadStanding(deps, roomId, actorOf(policy, callerOf(res)), { adopt: true });
    assertMayManage(standing);
    if (Object.keys(changes).length === 0) {
      res.set('Cache-Control', 'no-store').json(toApiRoom(standing.room, standing.role));
      return;
    }
    let updated;
    try {
      updated = await ivs.send(new UpdateRoomCommand({ identifier: standing.room.arn, ...changes }));
    } catch (error) {
      throw mapIvsError(error);
    }
    // IVS first, then the copy: a failure here leaves IVS ahead, and a retry of the same PATCH
    // brings the copy level (the request is idempotent).
    const stored = await updateRoom(table, roomId, {
      ...changes,
      updateTime: (updated.updateTime ?? new Date(clock())).toISOString(),
    });
    if (!stored) throw new HttpError(404, 'room_not_found', 'the room does not exist');
    logger.info('room updated', { requestId: requestIdOf(res), roomId, fields: Object.keys(changes) });
    res.set('Cache-Control', 'no-store').json(toApiRoom(stored, standing.role));
  });

  router.delete('/v1/rooms/:roomId', authenticate, async (req, res) => {
    const roomId = roomIdParam(req);
    const standing = await loadStanding(deps, roomId, actorOf(policy, callerOf(res)), { adopt: false });
    assertMayManage(standing);
    // IVS first (its connections close with it), then everything kept for the room. A failure
    // part-way is finished by a retry: the room record goes last, so the room is still found.
    await deleteIvsRoom(ivs, standing.room.arn);
    const items = await deleteRoomPartition(table, roomId);
    logger.info('room deleted', { requestId: requestIdOf(res), roomId, items });
    res.status(204).end();
  });

  return router;
}
