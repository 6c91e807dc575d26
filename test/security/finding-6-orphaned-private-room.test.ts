/**
 * Issue 19, finding 6: a private room whose table record is missing (a create that failed half-way
 * and whose undo failed too) stays private to the token route. The room directory already answers
 * such a room 404 (it reads the room's privacy tag); the token route must decide the same way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../shared/table/keys.js';
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

describe('a private room whose table record is missing', () => {
  it('gives an outsider no chat token: 404 room_not_found, as GET /v1/rooms/{id} answers', async () => {
    const room = await stack.createRoom(owner, 'private', 'orphaned');
    const outsider = stack.user('outsider-olga');
    const refusedWhileRecorded = await outsider.chatToken(room.arn);
    assert.equal(refusedWhileRecorded.status, 403, describeAnswer(refusedWhileRecorded));
    // What a failed create whose undo also failed leaves: the IVS room, without its record.
    await stack.table.client.send(
      new DeleteCommand({ TableName: stack.table.name, Key: keys.room(room.id) }),
    );

    const token = await outsider.chatToken(room.arn);
    const shown = await outsider.call('GET', `/v1/rooms/${room.id}`);

    assert.equal(token.status, 404, `an outsider's token request: ${describeAnswer(token)}`);
    assert.equal(at(token.body, 'code'), 'room_not_found');
    assert.equal(shown.status, 404, describeAnswer(shown));
    assert.equal(at(shown.body, 'code'), 'room_not_found');
  });
});
