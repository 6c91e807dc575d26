/**
 * The access model's service side: who the caller is (from their verified JWT, on every request),
 * what the table says of them in a room (one strongly consistent read of the room, their membership,
 * room ban, timeout and app-wide ban, and the membership of the user the action is about), and the
 * refusal an access decision becomes. The decisions themselves are shared/access/model.ts: the
 * review function asks the same table.
 */
import {
  decide,
  decideApp,
  type AppAction,
  type CallerFacts,
  type CallerRole,
  type Decision,
  type RoomAction,
  type TargetRole,
} from '../../../shared/access/model.js';
import { decodeUserPath } from '../../../shared/api/user-path.js';
import { keys, type ItemKey } from '../../../shared/table/keys.js';
import type { Caller } from '../auth/caller.js';
import { userIdProblem } from '../auth/user-id.js';
import { adoptRoom, type DirectoryDeps } from '../features/rooms/directory.js';
import { parseRoom, type RoomRecord } from '../features/rooms/store.js';
import { parseMembership, type RoomRole } from '../features/members/store.js';
import { parseRestriction, type Restriction } from '../features/moderation/restrictions-store.js';
import { HttpError, unauthorized } from '../platform/problem.js';
import { batchGet, itemAt } from '../platform/table.js';
import { appRoleOf, moderates, type ChatPolicy, type RolePolicy } from './chat-policy.js';

/** The caller as the policy sees them, from their verified JWT (never from a stored mark). */
export interface Actor {
  /** The JWT `sub`, or a fresh id for an anonymous caller. */
  readonly userId: string;
  readonly signedIn: boolean;
  /** An admin role (policy `adminRoles`): administers every room. */
  readonly isAdmin: boolean;
  /** May create rooms (policy `roomCreatorRoles`, and admins). */
  readonly roomCreator: boolean;
  /** The policy role the caller holds (highest listed), or undefined when their roles deny chat. */
  readonly appRole: RolePolicy | undefined;
  /** The app role moderates every room it can see (its policy capabilities include moderation). */
  readonly appModerator: boolean;
  /** The roles the JWT named (for refusals the caller reads about themselves). */
  readonly roles: readonly string[];
}

export function actorOf(policy: ChatPolicy, caller: Caller): Actor {
  if (caller.kind === 'anonymous') {
    return {
      userId: caller.userId,
      signedIn: false,
      isAdmin: false,
      roomCreator: false,
      appRole: undefined,
      appModerator: false,
      roles: [],
    };
  }
  const isAdmin = caller.roles.some((role) => policy.adminRoles.includes(role));
  const appRole = appRoleOf(policy, caller.roles);
  return {
    userId: caller.sub,
    signedIn: true,
    isAdmin,
    roomCreator: isAdmin || caller.roles.some((role) => policy.roomCreatorRoles.includes(role)),
    appRole,
    appModerator: appRole !== undefined && moderates(appRole),
    roles: caller.roles,
  };
}

/** The user an action is about. */
export interface Target {
  readonly userId: string;
  readonly self: boolean;
  readonly role: TargetRole;
}

/** The caller's standing in one room, read in one round trip. */
export interface RoomAccess {
  readonly actor: Actor;
  readonly room: RoomRecord;
  readonly membership: RoomRole | undefined;
  readonly roomBan: Restriction | undefined;
  readonly appBan: Restriction | undefined;
  readonly timeout: Restriction | undefined;
  readonly target: Target | undefined;
}

export function factsOf(access: RoomAccess): CallerFacts {
  return {
    signedIn: access.actor.signedIn,
    isAdmin: access.actor.isAdmin,
    appModerator: access.actor.appModerator,
    membership: access.membership,
    banned: access.roomBan !== undefined || access.appBan !== undefined,
    timedOut: access.timeout !== undefined,
  };
}

/**
 * The user a `{userId}` path segment names: `me` is the caller (who must be signed in), `~me` the
 * user whose id is `me` (shared/api/user-path.ts).
 */
export function resolveUser(segment: string, actor: Actor): { userId: string; self: boolean } {
  const ref = decodeUserPath(segment);
  if (ref.self) {
    if (!actor.signedIn)
      throw unauthorized('missing_token', 'sign in first: "me" names the signed-in caller');
    return { userId: actor.userId, self: true };
  }
  const problem = userIdProblem(ref.userId);
  if (problem !== undefined) throw new HttpError(400, 'invalid_parameter', `userId ${problem}`);
  return { userId: ref.userId, self: actor.signedIn && ref.userId === actor.userId };
}

export interface LoadOptions {
  /** A room known to IVS but not to the table is recorded first (rooms made outside the API). */
  readonly adopt: boolean;
  /** The user the action is about (their membership is read in the same round trip). */
  readonly target?: { readonly userId: string; readonly self: boolean };
  /** The room must have this ARN (the token route names rooms by ARN). */
  readonly arn?: string;
}

function notFound(): HttpError {
  return new HttpError(404, 'room_not_found', 'the room does not exist');
}

/** Reads the caller's standing in a room: one strongly consistent BatchGetItem. */
export async function loadRoomAccess(
  deps: DirectoryDeps,
  roomId: string,
  actor: Actor,
  options: LoadOptions,
): Promise<RoomAccess> {
  const roomKey = keys.room(roomId);
  const callerKeys = actor.signedIn
    ? {
        member: keys.member(roomId, actor.userId),
        ban: keys.roomBan(roomId, actor.userId),
        timeout: keys.timeout(roomId, actor.userId),
        appBan: keys.appBan(actor.userId),
      }
    : undefined;
  const targetKey =
    options.target && !options.target.self ? keys.member(roomId, options.target.userId) : undefined;
  const wanted: ItemKey[] = [roomKey, ...Object.values(callerKeys ?? {}), ...(targetKey ? [targetKey] : [])];
  const items = await batchGet(deps.table.client, deps.table.name, wanted);
  let room = parseRoom(itemAt(items, roomKey));
  if (!room) {
    if (!options.adopt) throw notFound();
    // Decided as the room directory decides: a room carrying the service's privacy tag without its
    // record is a creation being undone (or left by a failure), never treated as public.
    room = await adoptRoom(deps, roomId, options.arn);
  }
  if (options.arn !== undefined && room.arn !== options.arn) throw notFound();
  const now = deps.clock();
  const membership = callerKeys ? parseMembership(itemAt(items, callerKeys.member))?.role : undefined;
  let target: Target | undefined;
  if (options.target) {
    const targetRole = options.target.self
      ? membership
      : targetKey
        ? parseMembership(itemAt(items, targetKey))?.role
        : undefined;
    const role: TargetRole = room.ownerId === options.target.userId ? 'owner' : (targetRole ?? 'nonMember');
    target = { userId: options.target.userId, self: options.target.self, role };
  }
  return {
    actor,
    room,
    membership: room.ownerId !== undefined && room.ownerId === actor.userId ? 'owner' : membership,
    roomBan: callerKeys ? parseRestriction(itemAt(items, callerKeys.ban), now) : undefined,
    appBan: callerKeys ? parseRestriction(itemAt(items, callerKeys.appBan), now) : undefined,
    timeout: callerKeys ? parseRestriction(itemAt(items, callerKeys.timeout), now) : undefined,
    target,
  };
}

/** The decision for an action in the caller's room. */
export function decideFor(action: RoomAction, access: RoomAccess): Decision {
  return decide(action, {
    privacy: access.room.privacy,
    caller: factsOf(access),
    ...(access.target ? { target: { self: access.target.self, role: access.target.role } } : {}),
  });
}

/** Whether the caller may; a refusal is thrown as the problem the caller reads. Answers their role. */
export function authorize(action: RoomAction, access: RoomAccess): CallerRole {
  const decision = decideFor(action, access);
  if (decision.allowed) return decision.role;
  throw refusalError(decision, access);
}

export function refusalError(
  decision: Extract<Decision, { allowed: false }>,
  access?: RoomAccess,
): HttpError {
  const { refusal } = decision;
  switch (refusal.code) {
    case 'missing_token':
      return unauthorized('missing_token', 'sign in first: send Authorization: Bearer <your app JWT>');
    case 'room_not_found':
      return notFound();
    case 'not_a_member':
      return new HttpError(403, 'not_a_member', 'this room is private and you are not a member');
    case 'banned': {
      const appWide = access?.appBan !== undefined;
      const ban = access?.appBan ?? access?.roomBan;
      return bannedError(ban, appWide);
    }
    case 'timed_out': {
      const until = access?.timeout?.until;
      return new HttpError(
        403,
        'timed_out',
        until === undefined
          ? 'you are timed out in this room: you may read, not send or moderate'
          : `you are timed out in this room until ${until}: you may read, not send or moderate`,
        { extensions: until === undefined ? {} : { until } },
      );
    }
    case 'conflict':
      return new HttpError(409, 'conflict', refusal.reason);
    case 'forbidden':
      return new HttpError(403, 'forbidden', refusal.reason, {
        extensions: { role: refusal.role, required: refusal.required.join(',') },
      });
  }
}

/** 403 `banned`, with the end time and the moderator's reason when there are (the user is told why). */
export function bannedError(ban: Restriction | undefined, appWide: boolean): HttpError {
  const scope = appWide ? 'from chat' : 'from this room';
  const until = ban?.until;
  return new HttpError(
    403,
    'banned',
    until === undefined ? `you are banned ${scope}` : `you are banned ${scope} until ${until}`,
    {
      extensions: {
        scope: appWide ? 'app' : 'room',
        ...(until === undefined ? {} : { until }),
        ...(ban?.reason === undefined ? {} : { reason: ban.reason }),
      },
    },
  );
}

/** App-wide actions (create rooms, app-wide bans, another member's rooms). */
export async function authorizeApp(
  deps: Pick<DirectoryDeps, 'table' | 'clock'> & { readonly policy: ChatPolicy },
  action: AppAction,
  actor: Actor,
): Promise<void> {
  let appBan: Restriction | undefined;
  if (actor.signedIn && !actor.isAdmin) {
    const key = keys.appBan(actor.userId);
    const items = await batchGet(deps.table.client, deps.table.name, [key]);
    appBan = parseRestriction(itemAt(items, key), deps.clock());
  }
  const decision = decideApp(action, {
    signedIn: actor.signedIn,
    isAdmin: actor.isAdmin,
    roomCreator: actor.roomCreator,
    appBanned: appBan !== undefined,
  });
  if (decision.allowed) return;
  if (decision.refusal.code === 'banned') throw bannedError(appBan, true);
  if (decision.refusal.code === 'forbidden' && action === 'createRoom') {
    // Name the roles the caller has and the ones needed, so a misspelt role ("Admin") is visible.
    const required = [...new Set([...deps.policy.roomCreatorRoles, ...deps.policy.adminRoles])];
    throw new HttpError(
      403,
      'forbidden',
      `your role may not create rooms: your token's roles are [${actor.roles.join(', ')}], treated as "${actor.appRole?.name ?? 'none'}"; creating rooms needs one of [${required.join(', ')}]`,
      { extensions: { role: actor.appRole?.name ?? 'none', required: required.join(',') } },
    );
  }
  throw refusalError(decision);
}
