import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  canSend,
  counterState,
  deletionNotice,
  describeCapabilities,
  describeDisconnect,
  describeRequestError,
  devUserId,
  disconnectNoticeTitle,
  displayNameOf,
  eventSummary,
  isChatError,
  messageView,
  showsComposer,
  timeOfDay,
  validateDisplayName,
} from '../../../services/chat-demo/src/view.js';

describe('counterState', () => {
  it('counts an astral emoji as one code point, as IVS does', () => {
    // Prepare: 'a😀b' is 4 UTF-16 units but 3 code points.
    const text = 'a😀b';

    // Act
    const state = counterState(text, 500);

    // Assess
    assert.equal(state.used, 3);
    assert.equal(state.label, '3 / 500');
    assert.equal(state.over, false);
  });

  it('accepts a message of exactly the limit that is longer in UTF-16 units', () => {
    const text = '😀'.repeat(5);

    const state = counterState(text, 5);

    assert.equal(text.length, 10);
    assert.equal(state.remaining, 0);
    assert.equal(state.over, false);
  });

  it('reports a message one code point over the limit', () => {
    const state = counterState('abcdef', 5);

    assert.equal(state.over, true);
    assert.equal(state.remaining, -1);
  });
});

describe('canSend', () => {
  it('refuses blank text', () => {
    assert.equal(canSend('  \n ', 500), false);
  });

  it('refuses text over the room limit', () => {
    assert.equal(canSend('x'.repeat(11), 10), false);
  });

  it('accepts text within the limit', () => {
    assert.equal(canSend('hello', 10), true);
  });
});

describe('displayNameOf', () => {
  it('uses the displayName attribute the token service set', () => {
    assert.equal(displayNameOf({ userId: 'u-1', attributes: { displayName: 'Ann' } }), 'Ann');
  });

  it('falls back to the user id when the attribute is missing or blank', () => {
    assert.equal(displayNameOf({ userId: 'u-1' }), 'u-1');
    assert.equal(displayNameOf({ userId: 'u-2', attributes: { displayName: '  ' } }), 'u-2');
  });
});

describe('messageView', () => {
  const message = {
    id: 'abcDEF123456',
    content: 'hello ****',
    sendTime: new Date('2026-01-02T03:04:05Z'),
    sender: { userId: 'ann-1', attributes: { displayName: 'Ann', role: 'moderator' } },
  };

  it('keeps the delivered text as is, masked or not', () => {
    const view = messageView(message, 'bob-1', ['SEND_MESSAGE']);

    assert.equal(view.text, 'hello ****');
    assert.equal(view.senderName, 'Ann');
    assert.equal(view.senderRole, 'moderator');
  });

  it('offers no moderator action to a plain user', () => {
    const view = messageView(message, 'bob-1', ['SEND_MESSAGE']);

    assert.equal(view.canDelete, false);
    assert.equal(view.canDisconnect, false);
  });

  it('offers delete and disconnect to a moderator on someone else’s message', () => {
    const view = messageView(message, 'bob-1', ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER']);

    assert.equal(view.canDelete, true);
    assert.equal(view.canDisconnect, true);
    assert.equal(view.own, false);
  });

  it('never offers a moderator to disconnect themself', () => {
    const view = messageView(message, 'ann-1', ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER']);

    assert.equal(view.own, true);
    assert.equal(view.canDelete, true);
    assert.equal(view.canDisconnect, false);
  });
});

describe('eventSummary', () => {
  it('lists an application event’s attributes', () => {
    const summary = eventSummary({ eventName: 'app:poll', attributes: { question: 'Tea?', closes: '5m' } });

    assert.deepEqual(summary, { name: 'app:poll', details: 'question: Tea?, closes: 5m' });
  });

  it('copes with an event without attributes', () => {
    assert.deepEqual(eventSummary({ eventName: 'app:ping' }), { name: 'app:ping', details: '' });
  });
});

describe('timeOfDay', () => {
  it('pads hours and minutes to two digits', () => {
    assert.equal(timeOfDay(new Date(2026, 0, 1, 7, 5)), '07:05');
  });
});

describe('describeRequestError', () => {
  it('shows the review handler’s reason of a denied message (406)', () => {
    const feedback = describeRequestError({ id: 'x', errorCode: 406, errorMessage: 'Blocked term: "grape"' });

    assert.equal(feedback.kind, 'denied');
    assert.equal(feedback.text, 'Not sent: Blocked term: "grape"');
  });

  it('tells the sender to slow down on a rate limit (429)', () => {
    const feedback = describeRequestError({ id: 'x', errorCode: 429, errorMessage: 'Rate limit exceeded' });

    assert.equal(feedback.kind, 'rate-limited');
    assert.match(feedback.text, /too fast/);
  });

  it('explains a missing capability (403)', () => {
    const feedback = describeRequestError({ id: 'x', errorCode: 403, errorMessage: 'Forbidden' });

    assert.equal(feedback.kind, 'error');
    assert.match(feedback.text, /does not allow/);
  });

  it('shows the code and message of any other error', () => {
    const feedback = describeRequestError({ id: 'x', errorCode: 500, errorMessage: 'boom' });

    assert.equal(feedback.text, 'Refused (500): boom');
  });

  it('explains the SDK’s not-connected error', () => {
    assert.equal(
      describeRequestError(new Error('Room is not connected')).text,
      'Not connected to the chat room.',
    );
  });

  it('gives a generic sentence for anything unknown', () => {
    assert.equal(describeRequestError('weird').kind, 'error');
    assert.equal(describeRequestError(null).text, 'Something went wrong. Try again.');
  });
});

describe('isChatError', () => {
  it('recognises the SDK’s ChatError objects only', () => {
    assert.equal(isChatError({ errorCode: 406, errorMessage: 'no' }), true);
    assert.equal(isChatError({ errorCode: '406', errorMessage: 'no' }), false);
    assert.equal(isChatError(new Error('x')), false);
  });
});

describe('describeDisconnect', () => {
  it('names a failed token fetch with the service’s reason', () => {
    assert.equal(
      describeDisconnect('fetchTokenError', 'Room not found (HTTP 404)'),
      'Could not get a chat token: Room not found (HTTP 404)',
    );
  });

  it('tells a user the server closed the connection', () => {
    assert.equal(describeDisconnect('serverDisconnect'), 'Disconnected by the chat server');
  });
});

describe('devUserId', () => {
  it('builds an id from the name and a random suffix', () => {
    assert.equal(devUserId('Ann Lee', new Uint8Array([0, 15, 255, 16])), 'ann-lee-000fff10');
  });

  it('falls back to "user" for a name with no letters or digits', () => {
    assert.equal(devUserId('😀😀', new Uint8Array([1])), 'user-01');
  });

  it('stays within the IVS userId limit of 128 characters', () => {
    assert.ok(devUserId('x'.repeat(500), new Uint8Array(4)).length <= 128);
  });
});

describe('validateDisplayName', () => {
  it('trims the name', () => {
    assert.deepEqual(validateDisplayName('  Ann '), { ok: true, name: 'Ann' });
  });

  it('refuses an empty name', () => {
    assert.equal(validateDisplayName('   ').ok, false);
  });

  it('refuses a name over 64 code points', () => {
    assert.equal(validateDisplayName('é'.repeat(65)).ok, false);
    assert.equal(validateDisplayName('😀'.repeat(64)).ok, true);
  });
});

describe('describeCapabilities', () => {
  it('says a viewer can only read', () => {
    assert.equal(describeCapabilities([]), 'can read');
  });

  it('lists a moderator’s abilities', () => {
    assert.equal(
      describeCapabilities(['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER']),
      'can read, send, delete messages and disconnect users',
    );
  });
});

describe('showsComposer', () => {
  it('shows the box to a token that may send, and the viewer note to one that may not', () => {
    assert.equal(showsComposer(['SEND_MESSAGE'], false), true);
    assert.equal(showsComposer([], false), false);
  });

  it('keeps the box for a timed-out user, whose token lacks SEND_MESSAGE until it ends', () => {
    assert.equal(showsComposer([], true), true);
  });
});

describe('deletionNotice', () => {
  it('names the author and gives the moderator’s reason when there is one', () => {
    assert.equal(deletionNotice('Ann', 'spam'), 'A message from Ann was deleted: spam.');
    assert.equal(deletionNotice('Ann', undefined), 'A message from Ann was deleted.');
    assert.equal(deletionNotice('Ann', ''), 'A message from Ann was deleted.');
  });
});

describe('disconnectNoticeTitle', () => {
  const names = new Map([['bob-1', 'Bob']]);

  it('tells the reader they were disconnected', () => {
    assert.equal(disconnectNoticeTitle('ann-1', 'ann-1', names), 'You were disconnected');
  });

  it('names someone else by the display name seen in the room, else as a user', () => {
    assert.equal(disconnectNoticeTitle('bob-1', 'ann-1', names), 'Bob was disconnected');
    assert.equal(disconnectNoticeTitle('cy-1', 'ann-1', names), 'A user was disconnected');
  });

  it('speaks of someone else who calls themself "You" in the third person', () => {
    assert.equal(
      disconnectNoticeTitle('you-1', 'ann-1', new Map([['you-1', 'You']])),
      'You was disconnected',
    );
  });
});
