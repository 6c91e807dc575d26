/**
 * Issue 19, finding 4: a moderator cannot lock an admin out. "A moderator cannot ban or time out the
 * room's owner, an admin, or themself" (contract v2), and "admin from the verified JWT" (contract v3):
 * whether the service has seen the admin before must not matter. Whether the fix refuses the
 * moderator's PUT (403) or lets admins pass room bans is the integrator's choice, so only the
 * admin's access is asserted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { at, describeAnswer, startSecurityStack, type SecurityStack, type User } from './support/stack.js';

let stack: SecurityStack;
let owner: User;

before(async () => {
  stack = await startSecurityStack();
  owner = stack.user('owner-ann', ['admin']);
});
after(async () => {
  await stack.close();
});

/** A room with a moderator, and an admin (JWT role `admin`) who has never asked for a chat token. */
async function setting(
  name: string,
): Promise<{ room: { id: string; arn: string }; moderator: User; admin: User }> {
  const room = await stack.createRoom(owner, 'public', name);
  const moderator = stack.user(`${name}-mod`);
  const granted = await owner.call('PUT', `/v1/rooms/${room.id}/members/${moderator.userId}`, {
    role: 'moderator',
  });
  assert.equal(granted.status, 201, describeAnswer(granted));
  return { room, moderator, admin: stack.user(`${name}-admin`, ['admin']) };
}

function capabilitiesOf(answer: { body: unknown }): unknown[] {
  const capabilities = at(answer.body, 'capabilities');
  return Array.isArray(capabilities) ? capabilities : [];
}

describe("a moderator's ban or timeout on an admin", () => {
  it('leaves the admin a chat token with SEND_MESSAGE and the history after a ban', async () => {
    const { room, moderator, admin } = await setting('admin-ban');
    await moderator.call('PUT', `/v1/rooms/${room.id}/bans/${admin.userId}`, { reason: 'lockout' });

    const token = await admin.chatToken(room.arn);
    const history = await admin.call('GET', `/v1/rooms/${room.id}/messages`);

    assert.equal(token.status, 200, `the admin's chat token: ${describeAnswer(token)}`);
    assert.ok(capabilitiesOf(token).includes('SEND_MESSAGE'), `capabilities: ${describeAnswer(token)}`);
    assert.equal(history.status, 200, `the admin's history read: ${describeAnswer(history)}`);
  });

  it('leaves the admin a chat token with SEND_MESSAGE and the history after a timeout', async () => {
    const { room, moderator, admin } = await setting('admin-timeout');
    await moderator.call('PUT', `/v1/rooms/${room.id}/timeouts/${admin.userId}`, { durationMinutes: 60 });

    const token = await admin.chatToken(room.arn);
    const history = await admin.call('GET', `/v1/rooms/${room.id}/messages`);

    assert.equal(token.status, 200, `the admin's chat token: ${describeAnswer(token)}`);
    assert.ok(capabilitiesOf(token).includes('SEND_MESSAGE'), `capabilities: ${describeAnswer(token)}`);
    assert.equal(history.status, 200, `the admin's history read: ${describeAnswer(history)}`);
  });
});
