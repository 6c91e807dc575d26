/**
 * Who may do what: the one access model. The token service asks it for every route and every chat
 * token; the review function asks it for every message (`sendMessage`). It is pure data and one
 * function, with no I/O and no dependencies, so the review bundle stays small and both sides decide
 * from the same table. docs/access.md is written from this table (a test compares them).
 *
 * The inputs are facts: the caller's app roles come from their verified JWT on every request (admin,
 * app-wide moderator, room creator), their room role, bans and timeout from the table. The caller's
 * role in the room is the highest that applies, lowest first:
 *   anonymous < nonMember < member < moderator < owner < admin
 * - Admins administer every room and are bound by no ban or timeout: to end an admin's access, take the
 *   admin role away in the identity provider (it takes effect on their next request).
 * - A banned caller (in the room, or app-wide) has no access to the room at all (403 `banned`), but
 *   may still leave it.
 * - A timed-out caller acts as a plain member: no sending, no moderator or owner powers (403
 *   `timed_out`).
 * - Lifting a ban or timeout obeys the same rules as imposing it.
 */

/** A stored membership role. */
export const ROOM_ROLES = ['owner', 'moderator', 'member'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

/** The caller's role in a room, lowest first. */
export const CALLER_ROLES = ['anonymous', 'nonMember', 'member', 'moderator', 'owner', 'admin'] as const;
export type CallerRole = (typeof CALLER_ROLES)[number];

/** The room role of the user an action is about (their stored membership, or none). */
export const TARGET_ROLES = ['nonMember', 'member', 'moderator', 'owner'] as const;
export type TargetRole = (typeof TARGET_ROLES)[number];

export const PRIVACIES = ['public', 'private'] as const;
export type Privacy = (typeof PRIVACIES)[number];

export const STANDINGS = ['clear', 'timedOut', 'banned'] as const;
export type Standing = (typeof STANDINGS)[number];

type Who = readonly CallerRole[];

const MODERATORS: Who = ['moderator', 'owner', 'admin'];
const MANAGERS: Who = ['owner', 'admin'];
const ADMINS: Who = ['admin'];
const MEMBERS: Who = ['member', ...MODERATORS];
const SIGNED_IN: Who = ['nonMember', ...MEMBERS];
const EVERYONE: Who = ['anonymous', ...SIGNED_IN];

/** Who may act on another user, by that user's room role. */
type OnTarget = Readonly<Record<TargetRole, Who>>;
/** Who may act on themselves, by their own room role; `conflict` is a 409 (the owner leaving). */
type OnSelf = Readonly<Record<TargetRole, Who | 'conflict'>>;

export interface Rule {
  /** What the action is, as a sentence ends: "only moderators may <summary>". */
  readonly summary: string;
  /** The roles that may, in a public and in a private room. */
  readonly public: Who;
  readonly private: Who;
  /** Actions about a user: who may act on someone else. Undefined: the action names no user. */
  readonly onOthers?: OnTarget;
  /** Actions about a user: who may act on themselves. Undefined: nobody may (403). */
  readonly onSelf?: OnSelf;
  /** A banned caller may still do this (leave the room). */
  readonly keptWhenBanned?: true;
  /** A timed-out caller may not do this, even as a member (sending). */
  readonly refusedWhenTimedOut?: true;
  /** How a caller who may not see a private room is refused: 404 by default; the token route's 403. */
  readonly unseen?: 'not_a_member';
}

/** Moderators act on members and non-members; only the owner and admins on moderators; only admins on the owner. */
const RESTRICT: OnTarget = { nonMember: MODERATORS, member: MODERATORS, moderator: MANAGERS, owner: ADMINS };

export const RULES = {
  readRoom: { summary: 'read the room', public: EVERYONE, private: MEMBERS },
  getToken: { summary: 'get a chat token', public: EVERYONE, private: MEMBERS, unseen: 'not_a_member' },
  readHistory: { summary: "read the room's history", public: EVERYONE, private: MEMBERS },
  sendMessage: {
    summary: 'send messages',
    public: SIGNED_IN,
    private: MEMBERS,
    refusedWhenTimedOut: true,
  },
  /** A public room with members-only sending (room mode `membersOnlySend`). */
  sendMessageMembersOnly: {
    summary: 'send messages in a members-only room',
    public: MEMBERS,
    private: MEMBERS,
    refusedWhenTimedOut: true,
  },
  updateRoom: { summary: "change the room's name and limits", public: MANAGERS, private: MANAGERS },
  deleteRoom: { summary: 'delete the room', public: MANAGERS, private: MANAGERS },
  setModes: { summary: "change the room's modes", public: MODERATORS, private: MODERATORS },
  listMembers: { summary: "list the room's members", public: MODERATORS, private: MEMBERS },
  /** PUT .../members/{user} with role `member`: join a public room, add someone, or demote a moderator. */
  addMember: {
    summary: 'add members',
    public: SIGNED_IN,
    private: MODERATORS,
    onOthers: { nonMember: MODERATORS, member: MODERATORS, moderator: MANAGERS, owner: [] },
    onSelf: { nonMember: SIGNED_IN, member: SIGNED_IN, moderator: ADMINS, owner: [] },
  },
  /** PUT .../members/{user} with role `moderator`. */
  grantModerator: {
    summary: 'make someone a moderator',
    public: MANAGERS,
    private: MANAGERS,
    onOthers: { nonMember: MANAGERS, member: MANAGERS, moderator: MANAGERS, owner: [] },
    onSelf: { nonMember: ADMINS, member: ADMINS, moderator: ADMINS, owner: [] },
  },
  removeMember: {
    summary: 'remove members',
    public: MODERATORS,
    private: MODERATORS,
    onOthers: { nonMember: MODERATORS, member: MODERATORS, moderator: MANAGERS, owner: [] },
  },
  leaveRoom: {
    summary: 'leave the room',
    public: SIGNED_IN,
    private: MEMBERS,
    onSelf: { nonMember: SIGNED_IN, member: MEMBERS, moderator: MEMBERS, owner: 'conflict' },
    keptWhenBanned: true,
  },
  ban: { summary: 'ban users', public: MODERATORS, private: MODERATORS, onOthers: RESTRICT },
  liftBan: { summary: 'lift bans', public: MODERATORS, private: MODERATORS, onOthers: RESTRICT },
  timeOut: { summary: 'time users out', public: MODERATORS, private: MODERATORS, onOthers: RESTRICT },
  liftTimeout: { summary: 'lift timeouts', public: MODERATORS, private: MODERATORS, onOthers: RESTRICT },
  /** DISCONNECT_USER over a chat connection (no HTTP route: bans disconnect). */
  disconnectUser: { summary: 'disconnect users', public: MODERATORS, private: MODERATORS },
  listBans: { summary: 'list bans', public: MODERATORS, private: MODERATORS },
  listTimeouts: { summary: 'list timeouts', public: MODERATORS, private: MODERATORS },
  deleteMessage: { summary: 'delete messages', public: MODERATORS, private: MODERATORS },
  sendEvent: { summary: 'send events', public: MODERATORS, private: MODERATORS },
  readModerationLog: { summary: 'read the moderation log', public: MODERATORS, private: MODERATORS },
  pin: { summary: 'pin and unpin a message', public: MODERATORS, private: MODERATORS },
  reviewHeld: { summary: 'review held messages', public: MODERATORS, private: MODERATORS },
} as const satisfies Record<string, Rule>;

export type RoomAction = keyof typeof RULES;
export const ROOM_ACTIONS = Object.keys(RULES) as readonly RoomAction[];

/** What is known of a caller, from their verified JWT (app roles) and the table (the rest). */
export interface CallerFacts {
  readonly signedIn: boolean;
  /** An admin role in the JWT (policy `adminRoles`). */
  readonly isAdmin: boolean;
  /** An app role whose policy capabilities include moderation: a moderator in every room they can see. */
  readonly appModerator: boolean;
  readonly membership: RoomRole | undefined;
  /** A room ban or an app-wide ban in force. */
  readonly banned: boolean;
  readonly timedOut: boolean;
}

export interface ActionRequest {
  readonly privacy: Privacy;
  readonly caller: CallerFacts;
  /** For actions about a user: whether it is the caller, and that user's room role. */
  readonly target?: { readonly self: boolean; readonly role: TargetRole };
}

export type Refusal =
  | { readonly code: 'missing_token' }
  | { readonly code: 'room_not_found' | 'not_a_member' }
  | { readonly code: 'banned' }
  | { readonly code: 'timed_out' }
  | { readonly code: 'forbidden'; readonly reason: string; readonly role: CallerRole; readonly required: Who }
  | { readonly code: 'conflict'; readonly reason: string };

export type Decision =
  | { readonly allowed: true; readonly role: CallerRole }
  | { readonly allowed: false; readonly refusal: Refusal };

/** The caller's role in a room before bans and timeouts. */
export function roleOf(caller: CallerFacts, privacy: Privacy): CallerRole {
  if (!caller.signedIn) return 'anonymous';
  if (caller.isAdmin) return 'admin';
  if (caller.membership === 'owner' || caller.membership === 'moderator') return caller.membership;
  // An app-wide moderator moderates the rooms they can see: every public room, private ones they belong to.
  if (caller.appModerator && (privacy === 'public' || caller.membership !== undefined)) return 'moderator';
  return caller.membership === 'member' ? 'member' : 'nonMember';
}

const rank = (role: CallerRole): number => CALLER_ROLES.indexOf(role);

/** The caller's standing: admins are bound by no ban or timeout. */
export function standingOf(caller: CallerFacts): Standing {
  if (!caller.signedIn || caller.isAdmin) return 'clear';
  if (caller.banned) return 'banned';
  return caller.timedOut ? 'timedOut' : 'clear';
}

const refuse = (refusal: Refusal): Decision => ({ allowed: false, refusal });

/** Roles as a sentence: "moderators, the owner and admins", "everyone signed in". */
export function describeRoles(who: Who): string {
  if (who.length === 0) return 'nobody';
  const lowest = CALLER_ROLES.find((role) => who.includes(role));
  // The roles are ranked: a rule almost always allows a role and every role above it.
  const upward = lowest !== undefined && CALLER_ROLES.slice(rank(lowest)).every((role) => who.includes(role));
  if (upward) {
    const phrases: Record<CallerRole, string> = {
      anonymous: 'everyone',
      nonMember: 'everyone signed in',
      member: 'members, moderators, the owner and admins',
      moderator: 'moderators, the owner and admins',
      owner: 'the owner and admins',
      admin: 'admins',
    };
    return phrases[lowest];
  }
  const names: Record<CallerRole, string> = {
    anonymous: 'anyone',
    nonMember: 'signed-in non-members',
    member: 'members',
    moderator: 'moderators',
    owner: 'the owner',
    admin: 'admins',
  };
  const parts = who.map((role) => names[role]);
  if (parts.length === 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1) ?? ''}`;
}

/**
 * Whether the caller may do `action` in a room. In order: whether they may see the room at all (a
 * private room is a 404 to whoever may not read it), a ban, the roles the action needs, and for
 * actions about a user, that user's role.
 */
export function decide(action: RoomAction, request: ActionRequest): Decision {
  const rule: Rule = RULES[action];
  const { caller, privacy, target } = request;
  const role = roleOf(caller, privacy);
  const standing = standingOf(caller);
  if (!RULES.readRoom[privacy].includes(role)) {
    return refuse({ code: rule.unseen ?? 'room_not_found' });
  }
  const allowed: Who = rule[privacy];
  if (role === 'anonymous' && !allowed.includes('anonymous')) return refuse({ code: 'missing_token' });
  if (standing === 'banned' && rule.keptWhenBanned !== true) return refuse({ code: 'banned' });
  // A timed-out caller keeps reading as a member would, nothing more.
  const acting: CallerRole = standing === 'timedOut' && rank(role) > rank('member') ? 'member' : role;
  const timedOutOf = (who: Who): boolean => standing === 'timedOut' && who.includes(role);
  if (standing === 'timedOut' && rule.refusedWhenTimedOut === true) return refuse({ code: 'timed_out' });
  if (!allowed.includes(acting)) {
    if (timedOutOf(allowed)) return refuse({ code: 'timed_out' });
    return refuse({
      code: 'forbidden',
      reason: `only ${describeRoles(allowed)} may ${rule.summary}`,
      role: acting,
      required: allowed,
    });
  }
  if (target === undefined) return { allowed: true, role: acting };
  if (target.self) {
    const mayOnSelf = rule.onSelf?.[target.role];
    if (mayOnSelf === 'conflict') {
      return refuse({ code: 'conflict', reason: 'the owner cannot leave the room; delete the room instead' });
    }
    if (mayOnSelf === undefined) {
      return refuse({
        code: 'forbidden',
        reason: `you cannot ${rule.summary} for yourself`,
        role: acting,
        required: [],
      });
    }
    if (mayOnSelf.includes(acting)) return { allowed: true, role: acting };
    if (timedOutOf(mayOnSelf)) return refuse({ code: 'timed_out' });
    return refuse({
      code: 'forbidden',
      reason: `only ${describeRoles(mayOnSelf)} may ${rule.summary} for themselves as ${targetName(target.role)}`,
      role: acting,
      required: mayOnSelf,
    });
  }
  const mayOnOthers = rule.onOthers?.[target.role];
  if (mayOnOthers === undefined) {
    return refuse({
      code: 'forbidden',
      reason: `you may ${rule.summary} only for yourself`,
      role: acting,
      required: [],
    });
  }
  if (mayOnOthers.includes(acting)) return { allowed: true, role: acting };
  if (timedOutOf(mayOnOthers)) return refuse({ code: 'timed_out' });
  return refuse({
    code: 'forbidden',
    reason:
      mayOnOthers.length === 0
        ? `nobody may ${rule.summary} when that user is ${targetName(target.role)}`
        : `only ${describeRoles(mayOnOthers)} may ${rule.summary} when that user is ${targetName(target.role)}`,
    role: acting,
    required: mayOnOthers,
  });
}

function targetName(role: TargetRole): string {
  return role === 'nonMember' ? 'not a member' : role === 'owner' ? 'the owner' : `a ${role}`;
}

/** App-wide actions: no room, only app roles and the app-wide ban. */
export const APP_RULES = {
  createRoom: { summary: 'create rooms' },
  listOthersRooms: { summary: "list another member's rooms" },
  appBan: { summary: 'manage app-wide bans' },
} as const;
export type AppAction = keyof typeof APP_RULES;

export interface AppCaller {
  readonly signedIn: boolean;
  readonly isAdmin: boolean;
  /** A role in the policy's `roomCreatorRoles`. */
  readonly roomCreator: boolean;
  readonly appBanned: boolean;
}

/** Who may do app-wide actions: admins; room creators may create rooms; an app-wide ban takes all. */
export function decideApp(action: AppAction, caller: AppCaller): Decision {
  if (!caller.signedIn) return refuse({ code: 'missing_token' });
  const role: CallerRole = caller.isAdmin ? 'admin' : 'nonMember';
  if (!caller.isAdmin && caller.appBanned) return refuse({ code: 'banned' });
  const may = caller.isAdmin || (action === 'createRoom' && caller.roomCreator);
  if (may) return { allowed: true, role };
  return refuse({
    code: 'forbidden',
    reason:
      action === 'createRoom'
        ? 'only room creators (the policy roomCreatorRoles) or admins may create rooms'
        : `only admins may ${APP_RULES[action].summary}`,
    role,
    required: ADMINS,
  });
}
