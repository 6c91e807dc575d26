/**
 * The chat policy: who gets which capabilities, for how long, and which attributes go into the
 * token. The server decides all of it from the verified identity; the request body never does.
 * Loaded from CHAT_POLICY_FILE (validated once at startup) or the built-in default below.
 */
import {
  CHAT_TOKEN_CAPABILITIES,
  IVS_LIMITS,
  attributesByteSize,
  type ChatTokenCapability,
} from '../../../shared/ivs/limits.js';
import { parseRoomArn } from '../../../shared/ivs/arn.js';
import { readClaim } from '../auth/claims.js';
import { ConfigError } from '../platform/problem.js';
import { isRecord } from '../../../shared/json.js';

export interface RolePolicy {
  readonly name: string;
  readonly capabilities: readonly ChatTokenCapability[];
  /** Cap on sessionDurationInMinutes for this role (IVS allows 1–180). */
  readonly maxSessionMinutes: number;
}

export interface AttributeMapping {
  /** Token attribute name, e.g. `displayName`. */
  readonly name: string;
  /** JWT claim it is read from, e.g. `name`, or a path into nested claims (see claims.ts). */
  readonly claim: string;
  /** Longest value kept, in code points; longer values are cut. */
  readonly maxLength: number;
}

export interface ChatPolicy {
  /** Highest rank first: a user with several known roles gets the first one listed here. */
  readonly roles: readonly RolePolicy[];
  /** Role of a signed-in user who holds none of the roles above. */
  readonly defaultRole: string;
  /** Callers whose roles include one of these get 403. */
  readonly deniedRoles: readonly string[];
  /** Room ARNs tokens may be issued for; undefined means any room. */
  readonly allowedRooms: readonly string[] | undefined;
  /** Anonymous callers (ALLOW_ANONYMOUS=true) never get a capability; only their session cap is set here. */
  readonly anonymous: { readonly maxSessionMinutes: number };
  /**
   * Extra token attributes from claims, in priority order. `role` is always first and `displayName`
   * always present (falling back to the `sub`); when the 1 KB total would be exceeded, attributes are
   * dropped from the end of this list first.
   */
  readonly attributes: readonly AttributeMapping[];
  /** App roles that may create rooms (POST /v1/rooms). */
  readonly roomCreatorRoles: readonly string[];
  /** App roles that administer every room: read private rooms, manage any room, app-wide bans. */
  readonly adminRoles: readonly string[];
}

export const DEFAULT_POLICY: ChatPolicy = {
  roles: [
    {
      name: 'admin',
      capabilities: ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'],
      maxSessionMinutes: 180,
    },
    {
      name: 'moderator',
      capabilities: ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'],
      maxSessionMinutes: 180,
    },
    { name: 'user', capabilities: ['SEND_MESSAGE'], maxSessionMinutes: 180 },
    // A viewer may be signed in and still only read (the demo shows no send box).
    { name: 'viewer', capabilities: [], maxSessionMinutes: 180 },
  ],
  defaultRole: 'user',
  deniedRoles: [],
  allowedRooms: undefined,
  anonymous: { maxSessionMinutes: 60 },
  attributes: [
    { name: 'displayName', claim: 'name', maxLength: 64 },
    { name: 'avatarUrl', claim: 'picture', maxLength: 512 },
  ],
  roomCreatorRoles: ['admin'],
  adminRoles: ['admin'],
};

export const ANONYMOUS_ROLE = 'anonymous';

/** An app role that moderates every room its holders can see. */
export function moderates(role: RolePolicy): boolean {
  return role.capabilities.some((item) => item === 'DELETE_MESSAGE' || item === 'DISCONNECT_USER');
}
const NAME = /^[A-Za-z0-9_:.-]{1,64}$/;
const CLAIM = /^[\x21-\x7e]{1,128}$/;

function fail(path: string, message: string): never {
  throw new ConfigError(`chat policy: ${path} ${message}`);
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(path, `has an unknown field "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

function minutes(value: unknown, path: string): number {
  const { min, max } = IVS_LIMITS.sessionDurationMinutes;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function names(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) fail(path, 'must be an array of names');
  return value.map((item, index) => {
    if (typeof item !== 'string' || !NAME.test(item)) fail(`${path}[${index}]`, 'must match ' + String(NAME));
    return item;
  });
}

function parseRole(value: unknown, path: string): RolePolicy {
  if (!isRecord(value)) fail(path, 'must be an object');
  onlyKeys(value, ['name', 'capabilities', 'maxSessionMinutes'], path);
  const name = value.name;
  if (typeof name !== 'string' || !NAME.test(name) || name === ANONYMOUS_ROLE) {
    fail(`${path}.name`, `must match ${String(NAME)} and not be "${ANONYMOUS_ROLE}"`);
  }
  if (!Array.isArray(value.capabilities)) fail(`${path}.capabilities`, 'must be an array');
  const capabilities = value.capabilities.map((item: unknown, index) => {
    const capability = CHAT_TOKEN_CAPABILITIES.find((known) => known === item);
    if (!capability)
      fail(`${path}.capabilities[${index}]`, `must be one of ${CHAT_TOKEN_CAPABILITIES.join(', ')}`);
    return capability;
  });
  return {
    name,
    capabilities: [...new Set(capabilities)],
    maxSessionMinutes: minutes(value.maxSessionMinutes, `${path}.maxSessionMinutes`),
  };
}

function parseAttribute(value: unknown, path: string): AttributeMapping {
  if (!isRecord(value)) fail(path, 'must be an object');
  onlyKeys(value, ['name', 'claim', 'maxLength'], path);
  const { name, claim, maxLength } = value;
  if (typeof name !== 'string' || !NAME.test(name) || name === 'role') {
    fail(`${path}.name`, `must match ${String(NAME)} and not be "role" (always set by the server)`);
  }
  if (typeof claim !== 'string' || !CLAIM.test(claim)) fail(`${path}.claim`, 'must be a claim name');
  // 512 code points of up to 4 UTF-8 bytes could alone fill 2 KB; the byte budget is enforced per token.
  if (typeof maxLength !== 'number' || !Number.isInteger(maxLength) || maxLength < 1 || maxLength > 512) {
    fail(`${path}.maxLength`, 'must be an integer from 1 to 512');
  }
  return { name, claim, maxLength };
}

/** Validates a policy document (already JSON-parsed). Missing top-level fields take the default's. */
export function parsePolicy(value: unknown): ChatPolicy {
  if (!isRecord(value)) fail('document', 'must be a JSON object');
  onlyKeys(
    value,
    [
      'roles',
      'defaultRole',
      'deniedRoles',
      'allowedRooms',
      'anonymous',
      'attributes',
      'roomCreatorRoles',
      'adminRoles',
    ],
    'document',
  );
  let roles = DEFAULT_POLICY.roles;
  if (value.roles !== undefined) {
    if (!Array.isArray(value.roles) || value.roles.length === 0) fail('roles', 'must be a non-empty array');
    roles = value.roles.map((role: unknown, index) => parseRole(role, `roles[${index}]`));
    const seen = new Set<string>();
    for (const role of roles) {
      if (seen.has(role.name)) fail('roles', `names "${role.name}" twice`);
      seen.add(role.name);
    }
  }
  const defaultRole = value.defaultRole ?? DEFAULT_POLICY.defaultRole;
  if (typeof defaultRole !== 'string' || !roles.some((role) => role.name === defaultRole)) {
    fail('defaultRole', `must name one of the roles (${roles.map((role) => role.name).join(', ')})`);
  }
  const deniedRoles =
    value.deniedRoles === undefined ? DEFAULT_POLICY.deniedRoles : names(value.deniedRoles, 'deniedRoles');
  let allowedRooms: string[] | undefined;
  if (value.allowedRooms !== undefined) {
    if (!Array.isArray(value.allowedRooms)) fail('allowedRooms', 'must be an array of room ARNs');
    allowedRooms = value.allowedRooms.map((arn: unknown, index) => {
      if (typeof arn !== 'string' || !parseRoomArn(arn))
        fail(`allowedRooms[${index}]`, 'must be an IVS room ARN');
      return arn;
    });
  }
  let anonymous = DEFAULT_POLICY.anonymous;
  if (value.anonymous !== undefined) {
    if (!isRecord(value.anonymous)) fail('anonymous', 'must be an object');
    onlyKeys(value.anonymous, ['maxSessionMinutes'], 'anonymous');
    anonymous = {
      maxSessionMinutes: minutes(value.anonymous.maxSessionMinutes, 'anonymous.maxSessionMinutes'),
    };
  }
  let attributes = DEFAULT_POLICY.attributes;
  if (value.attributes !== undefined) {
    if (!Array.isArray(value.attributes)) fail('attributes', 'must be an array');
    attributes = value.attributes.map((item: unknown, index) => parseAttribute(item, `attributes[${index}]`));
    const displayName = attributes.find((item) => item.name === 'displayName');
    if (!displayName) fail('attributes', 'must map displayName (the demo and the review Lambda rely on it)');
    // 128 code points are at most 512 UTF-8 bytes: with `role` (at most 64) it always fits in 1 KB.
    if (displayName.maxLength > 128) fail('attributes: displayName.maxLength', 'must be at most 128');
  }
  const roomCreatorRoles =
    value.roomCreatorRoles === undefined
      ? DEFAULT_POLICY.roomCreatorRoles
      : names(value.roomCreatorRoles, 'roomCreatorRoles');
  const adminRoles =
    value.adminRoles === undefined ? DEFAULT_POLICY.adminRoles : names(value.adminRoles, 'adminRoles');
  // The token's `role` attribute is the caller's role in the room, and the review function reads
  // `admin` and `moderator` from it: an app role with either name must mean what it says.
  for (const role of roles) {
    if (role.name === 'admin' && !adminRoles.includes('admin')) {
      fail('roles: "admin"', 'must be listed in adminRoles, or be named otherwise');
    }
    if (role.name === 'moderator' && !moderates(role)) {
      fail('roles: "moderator"', 'must have DELETE_MESSAGE or DISCONNECT_USER, or be named otherwise');
    }
  }
  return {
    roles,
    defaultRole,
    deniedRoles,
    allowedRooms,
    anonymous,
    attributes,
    roomCreatorRoles,
    adminRoles,
  };
}

/**
 * The policy with its displayName attribute read from `claim` (AUTH_NAME_CLAIM): the one setting an
 * adopter changes per identity provider, without writing a policy file for it.
 */
export function withDisplayNameClaim(policy: ChatPolicy, claim: string): ChatPolicy {
  if (!CLAIM.test(claim))
    throw new ConfigError(`the display-name claim must be a claim name; got "${claim}"`);
  return {
    ...policy,
    attributes: policy.attributes.map((mapping) =>
      mapping.name === 'displayName' ? { ...mapping, claim } : mapping,
    ),
  };
}

function truncate(text: string, maxCodePoints: number): string {
  let out = '';
  let count = 0;
  for (const char of text) {
    if (count++ >= maxCodePoints) break;
    out += char;
  }
  return out;
}

/**
 * Builds the token attributes in priority order, never exceeding IVS's 1 KB (keys plus values, UTF-8):
 * `role` first, then `displayName`, then the policy's other attributes in their listed order; an
 * attribute that would not fit is left out, so the last ones are dropped first. Values are strings only
 * (IVS attributes are string→string); a claim that is not a non-empty string is skipped.
 */
export function buildAttributes(
  role: string,
  fallbackDisplayName: string,
  claims: Readonly<Record<string, unknown>>,
  mappings: readonly AttributeMapping[],
): Record<string, string> {
  const attributes: Record<string, string> = { role };
  const ordered = [
    ...mappings.filter((item) => item.name === 'displayName'),
    ...mappings.filter((item) => item.name !== 'displayName'),
  ];
  for (const mapping of ordered) {
    const raw = readClaim(claims, mapping.claim);
    let value = typeof raw === 'string' ? truncate(raw.trim(), mapping.maxLength) : '';
    if (value === '' && mapping.name === 'displayName')
      value = truncate(fallbackDisplayName, mapping.maxLength);
    if (value === '') continue;
    const candidate = { ...attributes, [mapping.name]: value };
    if (attributesByteSize(candidate) <= IVS_LIMITS.attributesMaxBytes)
      Object.assign(attributes, { [mapping.name]: value });
  }
  return attributes;
}

/**
 * The policy role a signed-in caller holds: the first of the policy's roles (highest rank first) their
 * JWT names, else the default role; undefined when one of their roles is denied chat.
 */
export function appRoleOf(policy: ChatPolicy, roles: readonly string[]): RolePolicy | undefined {
  if (roles.some((role) => policy.deniedRoles.includes(role))) return undefined;
  return (
    policy.roles.find((candidate) => roles.includes(candidate.name)) ??
    policy.roles.find((candidate) => candidate.name === policy.defaultRole)
  );
}
