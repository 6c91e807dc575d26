/**
 * Issue 19, finding 5: a user whose id is literally `me` can be moderated. Contract v3: "`me` in a
 * path means the caller; a user whose id is literally `me` must still be reachable by moderators
 * (choose how, and document it)".
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { at, describeAnswer, startSecurityStack, type SecurityStack, type User } from './support/stack.js';

/**
 * The path segment that names the user whose id is literally `me`. INTEGRATOR: the escape is yours to
 * choose; this test assumes `~me`. Change this one constant if you choose another.
 */
const LITERAL_ME = '~me';

let stack: SecurityStack;
let owner: User;

before(async () => {
  stack = await startSecurityStack();
  owner = stack.user('owner-ann', ['admin']);
});
after(async () => {
  await stack.close();
});

/** A public room with a moderator; the user `me` and the moderator can both get tokens for it. */
async function setting(
  name: string,
): Promise<{ room: { id: string; arn: string }; moderator: User; me: User }> {
  const room = await stack.createRoom(owner, 'public', name);
  const moderator = stack.user(`${name}-mod`);
  const granted = await owner.call('PUT', `/v1/rooms/${room.id}/members/${moderator.userId}`, {
    role: 'moderator',
  });
  assert.equal(granted.status, 201, describeAnswer(granted));
  const me = stack.user('me');
  const before = await me.chatToken(room.arn);
  assert.equal(before.status, 200, `the user "me" may chat before the ban: ${describeAnswer(before)}`);
  return { room, moderator, me };
}

describe(`a moderator acting on ${LITERAL_ME}`, () => {
  it('bans the user whose id is "me" (403 banned on their token request), not the moderator', async () => {
    const { room, moderator, me } = await setting('ban-literal-me');

    const banned = await moderator.call('PUT', `/v1/rooms/${room.id}/bans/${LITERAL_ME}`, { reason: 'spam' });
    const meToken = await me.chatToken(room.arn);
    const moderatorToken = await moderator.chatToken(room.arn);
    const listed = await moderator.call('GET', `/v1/rooms/${room.id}/bans`);

    assert.equal(meToken.status, 403, `the user "me" asking for a token: ${describeAnswer(meToken)}`);
    assert.equal(at(meToken.body, 'code'), 'banned');
    assert.equal(banned.status, 201, describeAnswer(banned));
    assert.equal(at(banned.body, 'userId'), 'me', `the ban names the user "me": ${describeAnswer(banned)}`);
    assert.equal(
      moderatorToken.status,
      200,
      `the moderator is not banned: ${describeAnswer(moderatorToken)}`,
    );
    const bans = at(listed.body, 'bans');
    assert.deepEqual(
      Array.isArray(bans) ? bans.map((ban) => at(ban, 'userId')) : bans,
      ['me'],
      'the room lists one ban, on "me"',
    );
  });

  it('lifts the ban of the user whose id is "me"', async () => {
    const { room, moderator, me } = await setting('unban-literal-me');
    await moderator.call('PUT', `/v1/rooms/${room.id}/bans/${LITERAL_ME}`, {});
    const during = await me.chatToken(room.arn);

    const lifted = await moderator.call('DELETE', `/v1/rooms/${room.id}/bans/${LITERAL_ME}`);
    const afterwards = await me.chatToken(room.arn);

    assert.equal(at(during.body, 'code'), 'banned', `the user "me" was banned: ${describeAnswer(during)}`);
    assert.equal(lifted.status, 204, describeAnswer(lifted));
    assert.equal(afterwards.status, 200, `the user "me" may chat again: ${describeAnswer(afterwards)}`);
  });
});

describe('me in a path', () => {
  // Guards the other half of the assumption (passes today): the escape must not change what `me`
  // (and its percent-encoded spelling) means.
  it('still means the caller, also spelt %6De: a moderator banning "me" is refused as a self-ban', async () => {
    const { room, moderator, me } = await setting('me-is-the-caller');

    const plain = await moderator.call('PUT', `/v1/rooms/${room.id}/bans/me`, {});
    const encoded = await moderator.call('PUT', `/v1/rooms/${room.id}/bans/%6De`, {});
    const meToken = await me.chatToken(room.arn);

    assert.equal(plain.status, 403, describeAnswer(plain));
    assert.equal(encoded.status, 403, describeAnswer(encoded));
    assert.equal(meToken.status, 200, 'the user "me" was not banned by either');
  });
});
