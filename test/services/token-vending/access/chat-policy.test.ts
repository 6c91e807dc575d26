import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributesByteSize, codePointLength, IVS_LIMITS } from '../../../../shared/ivs/limits.js';
import {
  buildAttributes,
  DEFAULT_POLICY,
  parsePolicy,
} from '../../../../services/token-vending/access/chat-policy.js';

import type { CallerRole } from '../../../../shared/access/model.js';
import {
  actorOf,
  decideFor,
  type RoomAccess,
} from '../../../../services/token-vending/access/room-access.js';
import type { Caller } from '../../../../services/token-vending/auth/caller.js';
import { grantFor } from '../../../../services/token-vending/features/chat-tokens/grant.js';
import { MODES_OFF } from '../../../../services/token-vending/features/rooms/store.js';

const user = (roles: string[], claims: Record<string, unknown> = {}): Caller => ({
  kind: 'user',
  sub: 'u-1',
  roles,
  claims,
});

/** The grant in a public room where the caller holds no membership, ban or timeout. */
function grantInPublicRoom(caller: Caller) {
  const access: RoomAccess = {
    actor: actorOf(DEFAULT_POLICY, caller),
    room: {
      id: 'abcdEFGH1234',
      arn: 'arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234',
      name: '',
      privacy: 'public',
      createTime: '2026-01-01T00:00:00.000Z',
      updateTime: '2026-01-01T00:00:00.000Z',
      maximumMessageLength: 500,
      maximumMessageRatePerSecond: 10,
      messageReviewHandler: undefined,
      tags: {},
      ownerId: undefined,
      modes: MODES_OFF,
      pinned: undefined,
    },
    membership: undefined,
    roomBan: undefined,
    appBan: undefined,
    timeout: undefined,
    target: undefined,
  };
  const decision = decideFor('getToken', access);
  assert.ok(decision.allowed);
  const role: CallerRole = decision.role;
  return grantFor(DEFAULT_POLICY, caller, access, role);
}

describe('grants with the default policy', () => {
  for (const [roles, role, capabilities] of [
    [[], 'user', ['SEND_MESSAGE']],
    [['unknown-role'], 'user', ['SEND_MESSAGE']],
    [['viewer'], 'viewer', []],
    [['viewer', 'user'], 'user', ['SEND_MESSAGE']],
    [['viewer', 'moderator'], 'moderator', ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER']],
  ] as const) {
    it(`gives roles [${roles.join(', ')}] role ${role}`, () => {
      const grant = grantInPublicRoom(user([...roles]));

      assert.equal(grant.role, role);
      assert.equal(grant.attributes.role, role);
      assert.deepEqual(grant.capabilities, capabilities);
    });
  }

  it('gives an anonymous caller no capability', () => {
    const grant = grantInPublicRoom({ kind: 'anonymous', userId: 'anonymous-1' });

    assert.deepEqual(grant.capabilities, []);
  });
});

describe('buildAttributes', () => {
  const mappings = DEFAULT_POLICY.attributes;

  it('keeps string claims only, falling back to the sub for displayName', () => {
    assert.deepEqual(buildAttributes('user', 'u-1', { name: 42, picture: ['x'] }, mappings), {
      role: 'user',
      displayName: 'u-1',
    });
  });

  it('cuts a long display name to its maximum in code points', () => {
    const attributes = buildAttributes('user', 'u-1', { name: '😀'.repeat(100) }, mappings);

    assert.equal(codePointLength(attributes.displayName ?? ''), 64);
  });

  it('drops the lowest-priority attribute first when 1 KB would be exceeded', () => {
    const policy = parsePolicy({
      attributes: [
        { name: 'displayName', claim: 'name', maxLength: 128 },
        { name: 'avatarUrl', claim: 'picture', maxLength: 512 },
        { name: 'bio', claim: 'bio', maxLength: 512 },
      ],
    });

    const attributes = buildAttributes(
      'user',
      'u-1',
      { name: 'é'.repeat(128), picture: `https://img.example/${'a'.repeat(400)}`, bio: 'b'.repeat(500) },
      policy.attributes,
    );

    assert.deepEqual(Object.keys(attributes), ['role', 'displayName', 'avatarUrl']);
    assert.ok(attributesByteSize(attributes) <= IVS_LIMITS.attributesMaxBytes);
  });

  it('never exceeds 1 KB whatever the claims', () => {
    const policy = parsePolicy({
      attributes: [
        { name: 'displayName', claim: 'name', maxLength: 128 },
        { name: 'a', claim: 'a', maxLength: 512 },
        { name: 'b', claim: 'b', maxLength: 512 },
        { name: 'c', claim: 'c', maxLength: 512 },
      ],
    });
    for (const char of ['x', 'é', '€', '😀']) {
      const claims = { name: char.repeat(500), a: char.repeat(500), b: char.repeat(100), c: char.repeat(30) };

      const attributes = buildAttributes('moderator', 'u-1', claims, policy.attributes);

      assert.ok(
        attributesByteSize(attributes) <= IVS_LIMITS.attributesMaxBytes,
        `${char}: ${attributesByteSize(attributes)} bytes`,
      );
      assert.ok(attributes.displayName);
    }
  });
});

describe('parsePolicy', () => {
  for (const [name, document, message] of [
    [
      'a role with a duration over 180',
      { roles: [{ name: 'user', capabilities: [], maxSessionMinutes: 181 }] },
      /maxSessionMinutes must be an integer from 1 to 180/,
    ],
    [
      'a defaultRole that is not a role',
      { defaultRole: 'superuser' },
      /defaultRole must name one of the roles/,
    ],
    ['an unknown field', { capabilities: ['SEND_MESSAGE'] }, /unknown field "capabilities"/],
    [
      'attributes without displayName',
      { attributes: [{ name: 'avatarUrl', claim: 'picture', maxLength: 100 }] },
      /must map displayName/,
    ],
    [
      'an attribute named role',
      { attributes: [{ name: 'role', claim: 'x', maxLength: 10 }] },
      /not be "role"/,
    ],
    ['a room that is not an ARN', { allowedRooms: ['room-1'] }, /allowedRooms\[0\] must be an IVS room ARN/],
    [
      'a duplicate role',
      {
        roles: [
          { name: 'a', capabilities: [], maxSessionMinutes: 1 },
          { name: 'a', capabilities: [], maxSessionMinutes: 1 },
        ],
        defaultRole: 'a',
      },
      /names "a" twice/,
    ],
  ] as const) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parsePolicy(document), message);
    });
  }
});
