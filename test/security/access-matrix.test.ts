/**
 * The access model, as callers meet it: for every action the HTTP API has, every caller (anonymous,
 * non-member, member, moderator, owner, admin; each also timed out and banned), every target user
 * (for actions about a user: non-member, member, moderator, owner, and oneself) and both kinds of room,
 * a real HTTP request to the service on real sockets (the emulator and dynalite behind it), and the
 * answer compared with what shared/access/model.ts decides. The cases are generated from its rule
 * table, so an action added there without a route here fails the coverage check at the end.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import {
  CALLER_ROLES,
  ROOM_ACTIONS,
  decide,
  type CallerRole,
  type Decision,
  type Privacy,
  type RoomAction,
  type Standing,
  type TargetRole,
} from '../../shared/access/model.js';
import { createLogger } from '../../shared/logger.js';
import { createTableClient, type Table } from '../../shared/table/client.js';
import { createApp } from '../../services/token-vending/app.js';
import { createJwtVerifier } from '../../services/token-vending/auth/verifier.js';
import { DEFAULT_POLICY } from '../../services/token-vending/access/chat-policy.js';
import { recordFromIvs } from '../../services/token-vending/features/rooms/directory.js';
import { putRoomIfAbsent, type RoomRecord } from '../../services/token-vending/features/rooms/store.js';
import { deleteMembership, putMembership } from '../../services/token-vending/features/members/store.js';
import {
  deleteRestriction,
  putRestriction,
} from '../../services/token-vending/features/moderation/restrictions-store.js';
import { QUOTAS_OFF, startEmulator, type Emulator } from '../../services/local-ivschat/start.js';
import { startLocalTable, type LocalTable } from '../../services/local-dynamodb/start.js';
import {
  AUDIENCE,
  ISSUER,
  newRsaKey,
  signToken,
  startJwksServer,
  type JwksServer,
} from '../services/token-vending/support/jwks-server.js';
import { TEST_CONFIG } from '../services/token-vending/support/app.js';

/** One HTTP route per action the API has (sendMessage, disconnectUser: over the chat connection). */
interface Call {
  readonly method: string;
  readonly path: (room: RoomRecord, target: string) => string;
  readonly body?: unknown;
  /** Actions about a user. */
  readonly targeted?: boolean;
}
const seg = (userId: string): string => encodeURIComponent(userId === 'me' ? '~me' : userId);
const CALLS: Partial<Record<RoomAction, Call>> = {
  readRoom: { method: 'GET', path: (r) => `/v1/rooms/${r.id}` },
  getToken: { method: 'POST', path: () => '/v1/chat-tokens' },
  readHistory: { method: 'GET', path: (r) => `/v1/rooms/${r.id}/messages` },
  updateRoom: { method: 'PATCH', path: (r) => `/v1/rooms/${r.id}`, body: { name: 'renamed' } },
  setModes: { method: 'PATCH', path: (r) => `/v1/rooms/${r.id}`, body: { modes: { slowModeSeconds: 5 } } },
  listMembers: { method: 'GET', path: (r) => `/v1/rooms/${r.id}/members` },
  addMember: {
    method: 'PUT',
    path: (r, t) => `/v1/rooms/${r.id}/members/${seg(t)}`,
    body: { role: 'member' },
    targeted: true,
  },
  grantModerator: {
    method: 'PUT',
    path: (r, t) => `/v1/rooms/${r.id}/members/${seg(t)}`,
    body: { role: 'moderator' },
    targeted: true,
  },
  removeMember: { method: 'DELETE', path: (r, t) => `/v1/rooms/${r.id}/members/${seg(t)}`, targeted: true },
  ban: {
    method: 'PUT',
    path: (r, t) => `/v1/rooms/${r.id}/bans/${seg(t)}`,
    body: { reason: 'matrix' },
    targeted: true,
  },
  liftBan: { method: 'DELETE', path: (r, t) => `/v1/rooms/${r.id}/bans/${seg(t)}`, targeted: true },
  timeOut: {
    method: 'PUT',
    path: (r, t) => `/v1/rooms/${r.id}/timeouts/${seg(t)}`,
    body: { durationMinutes: 5 },
    targeted: true,
  },
  liftTimeout: { method: 'DELETE', path: (r, t) => `/v1/rooms/${r.id}/timeouts/${seg(t)}`, targeted: true },
  listBans: { method: 'GET', path: (r) => `/v1/rooms/${r.id}/bans` },
  listTimeouts: { method: 'GET', path: (r) => `/v1/rooms/${r.id}/timeouts` },
  deleteMessage: { method: 'DELETE', path: (r) => `/v1/rooms/${r.id}/messages/abcdEFGH1234` },
  sendEvent: { method: 'POST', path: (r) => `/v1/rooms/${r.id}/events`, body: { eventName: 'notice' } },
  readModerationLog: { method: 'GET', path: (r) => `/v1/rooms/${r.id}/moderation-log` },
  pin: { method: 'PUT', path: (r) => `/v1/rooms/${r.id}/pin`, body: { text: 'pinned' } },
  deleteRoom: { method: 'DELETE', path: (r) => `/v1/rooms/${r.id}` },
};
/** Actions with no HTTP route of their own: decided for chat connections (tested elsewhere). */
const OVER_THE_CONNECTION: readonly RoomAction[] = [
  'sendMessage',
  'sendMessageMembersOnly',
  'disconnectUser',
];
/** DELETE .../members/{me}: the same route as removeMember, on oneself. */
const ROUTED_AS: Partial<Record<RoomAction, RoomAction>> = { leaveRoom: 'removeMember' };
const HELD_ACTIONS: readonly RoomAction[] = ['reviewHeld'];

const STATUS: Record<string, number> = {
  missing_token: 401,
  room_not_found: 404,
  not_a_member: 403,
  banned: 403,
  timed_out: 403,
  forbidden: 403,
  conflict: 409,
};

let emulator: Emulator;
let local: LocalTable;
let jwks: JwksServer;
let table: Table;
let ivs: IvschatClient;
let server: Server;
let baseUrl: string;
const key = newRsaKey('matrix');
const jwtCache = new Map<string, string>();
let ran = 0;

function jwtFor(userId: string, roles: string[]): string {
  const id = `${userId}|${roles.join(',')}`;
  let token = jwtCache.get(id);
  if (token === undefined) {
    token = signToken(key, { sub: userId, roles, name: userId });
    jwtCache.set(id, token);
  }
  return token;
}

before(async () => {
  // Quotas off: the matrix creates rooms and disconnects users faster than IVS's per-second quotas.
  emulator = await startEmulator({
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ level: 'silent' }),
    quotas: QUOTAS_OFF,
  });
  local = await startLocalTable();
  jwks = await startJwksServer([key]);
  table = {
    name: local.tableName,
    // Generous deadlines: the matrix is about decisions, and must hold on a loaded machine.
    client: createTableClient({
      endpoint: local.endpoint,
      region: 'us-east-1',
      dummyCredentials: true,
      requestTimeoutMs: 15_000,
      deadlineMs: 15_000,
    }),
  };
  ivs = new IvschatClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const app = createApp({
    ivs,
    table,
    region: 'us-east-1',
    verifier: createJwtVerifier({
      jwksUri: jwks.jwksUri,
      issuer: ISSUER,
      audience: AUDIENCE,
      rolesClaim: 'roles',
    }),
    policy: DEFAULT_POLICY,
    clock: Date.now,
    logger: createLogger({ level: 'silent' }),
    // Anonymous callers are let through authentication, so the model decides what they may do.
    config: {
      ...TEST_CONFIG,
      allowAnonymous: true,
      rooms: { ...TEST_CONFIG.rooms, reviewHandlerArn: undefined },
    },
    validateResponses: true,
    requestBudgetMs: 30_000,
  });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  baseUrl = `http://127.0.0.1:${address.port}`;
});

after(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  ivs.destroy();
  table.client.destroy();
  await Promise.all([emulator.close(), local.close(), jwks.close()]);
});

/** The people of one room: its owner, a moderator, a member, a non-member, and the caller. */
interface Fixture {
  readonly room: RoomRecord;
  readonly privacy: Privacy;
  readonly role: CallerRole;
  readonly standing: Standing;
  readonly caller: string;
  readonly users: Readonly<Record<TargetRole, string>>;
}

async function fixture(privacy: Privacy, role: CallerRole, standing: Standing): Promise<Fixture> {
  const tag = randomBytes(3).toString('hex');
  const created = await ivs.send(new CreateRoomCommand({ name: `matrix-${tag}` }));
  const users: Record<TargetRole, string> = {
    owner: `owner-${tag}`,
    moderator: `mod-${tag}`,
    member: `member-${tag}`,
    nonMember: `outsider-${tag}`,
  };
  const room = recordFromIvs(created, { privacy, ownerId: users.owner });
  assert.ok(await putRoomIfAbsent(table, room));
  const caller = role === 'owner' ? users.owner : `caller-${role}-${tag}`;
  const fx: Fixture = { room, privacy, role, standing, caller, users };
  await reset(fx);
  return fx;
}

/** Puts everyone back in their place: roles, no restriction but the caller's own standing. */
async function reset(fx: Fixture): Promise<void> {
  const now = new Date().toISOString();
  const { room, users } = fx;
  await Promise.all([
    putMembership(table, room, users.owner, 'owner', now),
    putMembership(table, room, users.moderator, 'moderator', now),
    putMembership(table, room, users.member, 'member', now),
    deleteMembership(table, room.id, users.nonMember),
    ...Object.values(users).flatMap((user) =>
      user === fx.caller
        ? []
        : [
            deleteRestriction(table, 'ban', room.id, user, Date.now()),
            deleteRestriction(table, 'timeout', room.id, user, Date.now()),
          ],
    ),
  ]);
  if (fx.role === 'anonymous') return;
  if (fx.role === 'member' || fx.role === 'moderator') {
    await putMembership(table, room, fx.caller, fx.role, now);
  } else if (fx.role === 'nonMember' || fx.role === 'admin') {
    await deleteMembership(table, room.id, fx.caller);
  }
  const restriction = { userId: fx.caller, reason: 'standing', until: undefined, by: 'matrix', since: now };
  await deleteRestriction(table, 'ban', room.id, fx.caller, Date.now());
  await deleteRestriction(table, 'timeout', room.id, fx.caller, Date.now());
  if (fx.standing === 'banned') await putRestriction(table, 'ban', room.id, restriction, Date.now());
  if (fx.standing === 'timedOut') {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await putRestriction(table, 'timeout', room.id, { ...restriction, until }, Date.now());
  }
}

/** Undoes what an allowed action about a user changed (nothing else a case does changes a decision). */
async function repair(fx: Fixture, action: RoomAction, role: TargetRole, userId: string): Promise<void> {
  if (action === 'ban' || action === 'timeOut') {
    await deleteRestriction(table, action === 'ban' ? 'ban' : 'timeout', fx.room.id, userId, Date.now());
  } else if (action === 'addMember' || action === 'grantModerator' || action === 'removeMember') {
    if (role === 'nonMember') await deleteMembership(table, fx.room.id, userId);
    else await putMembership(table, fx.room, userId, role, new Date().toISOString());
  }
}

function expected(action: RoomAction, fx: Fixture, target?: { self: boolean; role: TargetRole }): Decision {
  const signedIn = fx.role !== 'anonymous';
  return decide(action, {
    privacy: fx.privacy,
    caller: {
      signedIn,
      isAdmin: fx.role === 'admin',
      appModerator: false,
      membership:
        fx.role === 'member' || fx.role === 'moderator' || fx.role === 'owner' ? fx.role : undefined,
      banned: fx.standing === 'banned',
      timedOut: fx.standing === 'timedOut',
    },
    ...(target ? { target } : {}),
  });
}

async function send(fx: Fixture, call: Call, targetId: string): Promise<{ status: number; code: unknown }> {
  const headers: Record<string, string> = {};
  if (fx.role !== 'anonymous') {
    headers.authorization = `Bearer ${jwtFor(fx.caller, fx.role === 'admin' ? ['admin'] : [])}`;
  }
  let body: unknown = call.body;
  if (call.path(fx.room, targetId) === '/v1/chat-tokens') body = { roomIdentifier: fx.room.arn };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${call.path(fx.room, targetId)}`, {
    method: call.method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let code: unknown;
  try {
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    code = typeof parsed === 'object' && parsed !== null && 'code' in parsed ? parsed.code : undefined;
  } catch {
    code = undefined;
  }
  ran++;
  return { status: res.status, code };
}

function check(label: string, decision: Decision, answer: { status: number; code: unknown }): void {
  if (decision.allowed) {
    assert.ok(
      answer.status >= 200 && answer.status < 300,
      `${label}: expected 2xx, got ${answer.status} ${String(answer.code)}`,
    );
    return;
  }
  const code = decision.refusal.code;
  assert.deepEqual(
    { status: answer.status, code: answer.code },
    { status: STATUS[code], code },
    `${label}: expected ${STATUS[code]} ${code}`,
  );
}

const CALLERS: readonly [CallerRole, Standing][] = CALLER_ROLES.flatMap((role): [CallerRole, Standing][] =>
  role === 'anonymous'
    ? [[role, 'clear']]
    : [
        [role, 'clear'],
        [role, 'timedOut'],
        [role, 'banned'],
      ],
);

describe('the access model over HTTP: every action, caller and target', () => {
  it('answers every generated case as the rule table decides', { timeout: 600_000 }, async () => {
    const mismatches: string[] = [];
    const record = (label: string, decision: Decision, answer: { status: number; code: unknown }): void => {
      try {
        check(label, decision, answer);
      } catch (error) {
        mismatches.push(error instanceof Error ? error.message : String(error));
      }
    };
    const jobs: (() => Promise<void>)[] = [];
    for (const privacy of ['public', 'private'] as const) {
      for (const [role, standing] of CALLERS) {
        jobs.push(async () => {
          const fx = await fixture(privacy, role, standing);
          for (const [action, call] of Object.entries(CALLS) as [RoomAction, Call][]) {
            if (action === 'deleteRoom') continue;
            if (!call.targeted) {
              const answer = await send(fx, call, '');
              record(`${action} by ${role}/${standing} in a ${privacy} room`, expected(action, fx), answer);
              continue;
            }
            const targets: [TargetRole | 'self', string][] = [
              ...(Object.entries(fx.users) as [TargetRole, string][]).filter(
                ([, user]) => user !== fx.caller,
              ),
              ...(role === 'anonymous' ? [] : ([['self', fx.caller]] as [TargetRole | 'self', string][])),
            ];
            for (const [targetRole, targetId] of targets) {
              const self = targetRole === 'self';
              const ownRole: TargetRole =
                role === 'member' || role === 'moderator' || role === 'owner' ? role : 'nonMember';
              const routed: RoomAction = self && action === 'removeMember' ? 'leaveRoom' : action;
              const decision = expected(routed, fx, { self, role: self ? ownRole : targetRole });
              const answer = await send(fx, call, targetId);
              record(
                `${routed} on ${targetRole} by ${role}/${standing} in a ${privacy} room`,
                decision,
                answer,
              );
              if (answer.status < 300) await repair(fx, action, self ? ownRole : targetRole, targetId);
            }
          }
          // Last: deleting the room ends the fixture.
          const deleteCall = CALLS.deleteRoom;
          assert.ok(deleteCall);
          record(
            `deleteRoom by ${role}/${standing} in a ${privacy} room`,
            expected('deleteRoom', fx),
            await send(fx, deleteCall, ''),
          );
        });
      }
    }
    // Several fixtures at a time: the work is I/O on three local servers.
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < jobs.length) {
          const job = jobs[next++];
          if (job) await job();
        }
      }),
    );
    console.log(`access matrix: ${ran} requests, ${mismatches.length} mismatches`);
    assert.deepEqual(mismatches.slice(0, 20), []);
  });

  it('covers every action of the rule table', () => {
    const covered = new Set<RoomAction>([
      ...(Object.keys(CALLS) as RoomAction[]),
      ...OVER_THE_CONNECTION,
      ...(Object.keys(ROUTED_AS) as RoomAction[]),
      ...HELD_ACTIONS,
    ]);
    assert.deepEqual(
      ROOM_ACTIONS.filter((action) => !covered.has(action)),
      [],
      'an action of shared/access/model.ts has no case here',
    );
  });
});
