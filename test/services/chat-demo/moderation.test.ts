import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BAN_CHOICES,
  RENEWING_TOKEN_TEXT,
  TIMEOUT_CHOICES,
  banText,
  formatUntil,
  mayModerateRoom,
  mayRestrictSender,
  messageActions,
  parseRestriction,
  parseRestrictionPage,
  restrictionLine,
  roomIdOf,
  sendRefusal,
  timeoutText,
  timeoutUntilFromRefusal,
  validateReason,
} from '../../../services/chat-demo/src/moderation.js';

// Local times, so the expected text holds in any time zone.
const NOW = new Date(2026, 0, 5, 14, 0);
const LATER_TODAY = new Date(2026, 0, 5, 14, 10);
const TOMORROW = new Date(2026, 0, 6, 9, 5);
const NEXT_YEAR = new Date(2027, 1, 3, 8, 0);

describe('mayModerateRoom', () => {
  it('offers the moderation tools to admins and to the room’s owner and moderators', () => {
    assert.equal(mayModerateRoom(['admin'], null), true);
    assert.equal(mayModerateRoom(['user'], 'owner'), true);
    assert.equal(mayModerateRoom(['user'], 'moderator'), true);
  });

  it('does not offer them to members, or to an app moderator who does not moderate this room', () => {
    assert.equal(mayModerateRoom(['user'], 'member'), false);
    assert.equal(mayModerateRoom(['moderator'], null), false);
    assert.equal(mayModerateRoom(['moderator'], undefined), false);
  });
});

describe('mayRestrictSender', () => {
  it('never offers to ban or time out oneself', () => {
    assert.equal(mayRestrictSender(['admin'], true, 'user'), false);
  });

  it('lets an admin act on anyone else, owners included', () => {
    assert.equal(mayRestrictSender(['admin'], false, 'owner'), true);
  });

  it('keeps a room moderator’s buttons off the owner’s and admins’ messages', () => {
    assert.equal(mayRestrictSender(['user'], false, 'owner'), false);
    assert.equal(mayRestrictSender(['user'], false, 'admin'), false);
    assert.equal(mayRestrictSender(['user'], false, 'user'), true);
    assert.equal(mayRestrictSender(['user'], false, undefined), true);
  });
});

describe('messageActions', () => {
  const others = { own: false, senderRole: 'user', canDelete: false, canDisconnect: false };

  it('offers a room moderator Delete, Ban and Time out through the service, and no Disconnect', () => {
    const actions = messageActions({ ...others, canDelete: true, canDisconnect: true }, ['moderator'], true);

    assert.deepEqual(actions, { delete: true, restrict: true, disconnect: false });
  });

  it('offers an app moderator elsewhere what the token allows', () => {
    const actions = messageActions({ ...others, canDelete: true, canDisconnect: true }, ['moderator'], false);

    assert.deepEqual(actions, { delete: true, restrict: false, disconnect: true });
  });

  it('lets a room moderator delete their own message, but not ban or time themself out', () => {
    const actions = messageActions({ ...others, own: true }, ['user'], true);

    assert.deepEqual(actions, { delete: true, restrict: false, disconnect: false });
  });

  it('offers nothing to a plain member', () => {
    assert.deepEqual(messageActions(others, ['user'], false), {
      delete: false,
      restrict: false,
      disconnect: false,
    });
  });
});

describe('duration choices', () => {
  it('stay within what the service accepts (timeouts 1–10,080 min, bans 1–525,600 or permanent)', () => {
    for (const choice of TIMEOUT_CHOICES) {
      assert.ok(
        choice.minutes !== undefined && choice.minutes >= 1 && choice.minutes <= 10_080,
        choice.label,
      );
    }
    for (const choice of BAN_CHOICES) {
      if (choice.minutes === undefined) continue;
      assert.ok(choice.minutes >= 1 && choice.minutes <= 525_600, choice.label);
    }
    assert.ok(BAN_CHOICES.some((choice) => choice.minutes === undefined));
  });
});

describe('validateReason', () => {
  it('makes a blank reason no reason, and trims one given', () => {
    assert.deepEqual(validateReason('   '), { ok: true, reason: undefined });
    assert.deepEqual(validateReason(' spam '), { ok: true, reason: 'spam' });
  });

  it('refuses more than 256 code points, counting an emoji as one', () => {
    assert.deepEqual(validateReason('😀'.repeat(256)), { ok: true, reason: '😀'.repeat(256) });
    assert.equal(validateReason('a'.repeat(257)).ok, false);
  });
});

describe('formatUntil', () => {
  it('shows the time alone today, the day too on another day, and the year when not this one', () => {
    assert.equal(formatUntil(LATER_TODAY, NOW), '14:10');
    assert.equal(formatUntil(TOMORROW, NOW), '6 Jan 09:05');
    assert.equal(formatUntil(NEXT_YEAR, NOW), '3 Feb 2027 08:00');
  });
});

describe('banText and timeoutText', () => {
  it('tell a banned user where, until when and why', () => {
    assert.equal(
      banText({ scope: 'room', until: LATER_TODAY.toISOString(), reason: 'spamming links' }, NOW),
      'You were banned from this room until 14:10. Reason: spamming links',
    );
    assert.equal(
      banText({ scope: 'app', until: undefined, reason: undefined }, NOW),
      'You were banned from chat for good.',
    );
  });

  it('tells a timed-out user until when', () => {
    assert.equal(
      timeoutText(TOMORROW.toISOString(), NOW),
      'You are timed out until 6 Jan 09:05: you can read but not send.',
    );
  });
});

describe('timeoutUntilFromRefusal', () => {
  it('reads the end of a timeout from the review handler’s refusal', () => {
    assert.equal(
      timeoutUntilFromRefusal('You are timed out until 2026-01-05T14:10:00.000Z: you can read but not send.'),
      '2026-01-05T14:10:00.000Z',
    );
  });

  it('is undefined for any other refusal', () => {
    assert.equal(
      timeoutUntilFromRefusal('Your message contains a word that is not allowed here.'),
      undefined,
    );
    assert.equal(
      timeoutUntilFromRefusal('You are banned from this room until 2026-01-05T14:10:00.000Z.'),
      undefined,
    );
  });
});

describe('sendRefusal', () => {
  it('reads a timeout from the review’s refusal and says its end in local time', () => {
    const refusal = sendRefusal(
      {
        errorCode: 406,
        errorMessage: `You are timed out until ${TOMORROW.toISOString()}: you can read but not send.`,
      },
      NOW,
    );

    assert.deepEqual(refusal, {
      feedback: {
        kind: 'denied',
        text: 'Not sent: You are timed out until 6 Jan 09:05: you can read but not send.',
      },
      timedOutUntil: TOMORROW.toISOString(),
      tokenLacksSend: false,
    });
  });

  it('shows any other review refusal as the review worded it', () => {
    const refusal = sendRefusal({ errorCode: 406, errorMessage: 'Blocked term' }, NOW);

    assert.deepEqual(refusal.feedback, { kind: 'denied', text: 'Not sent: Blocked term' });
    assert.equal(refusal.timedOutUntil, undefined);
  });

  it('asks for a new token when the room says the token may not send (403)', () => {
    const refusal = sendRefusal({ errorCode: 403, errorMessage: 'Forbidden' }, NOW);

    assert.equal(refusal.tokenLacksSend, true);
    assert.equal(refusal.timedOutUntil, undefined);
    assert.match(RENEWING_TOKEN_TEXT, /Getting a new one/);
  });

  it('asks for nothing more after a rate limit or a lost connection', () => {
    for (const error of [{ errorCode: 429, errorMessage: 'slow down' }, new Error('Room is not connected')]) {
      const refusal = sendRefusal(error, NOW);

      assert.equal(refusal.tokenLacksSend, false);
      assert.equal(refusal.timedOutUntil, undefined);
    }
  });
});

describe('parseRestriction and parseRestrictionPage', () => {
  const ban = {
    userId: 'bob',
    reason: 'spam',
    until: '2026-01-05T15:00:00.000Z',
    by: 'mia',
    since: '2026-01-05T14:00:00.000Z',
  };

  it('reads a ban as the service lists it', () => {
    assert.deepEqual(parseRestriction(ban), ban);
    assert.deepEqual(parseRestrictionPage({ bans: [ban] }, 'ban'), { restrictions: [ban], more: false });
  });

  it('refuses malformed entries and pages', () => {
    assert.equal(parseRestriction({ ...ban, until: 'tomorrow' }), undefined);
    assert.equal(parseRestriction({ ...ban, userId: '' }), undefined);
    assert.equal(parseRestrictionPage({ bans: [ban] }, 'timeout'), undefined);
    assert.equal(parseRestrictionPage({ timeouts: [{ userId: 'x' }] }, 'timeout'), undefined);
  });
});

describe('restrictionLine', () => {
  it('names a user seen in the room with their id, and says until when and why', () => {
    const line = restrictionLine(
      {
        userId: 'bob-1',
        reason: 'spam',
        until: LATER_TODAY.toISOString(),
        by: 'mia',
        since: NOW.toISOString(),
      },
      new Map([['bob-1', 'Bob']]),
      NOW,
    );

    assert.deepEqual(line, { who: 'Bob (bob-1)', detail: 'until 14:10 · spam' });
  });

  it('shows the id alone for a user not seen, and a permanent ban as such', () => {
    const line = restrictionLine(
      { userId: 'eve-2', reason: undefined, until: undefined, by: 'mia', since: NOW.toISOString() },
      new Map(),
      NOW,
    );

    assert.deepEqual(line, { who: 'eve-2', detail: 'permanent' });
  });
});

describe('roomIdOf', () => {
  it('takes the 12-character id from a room ARN', () => {
    assert.equal(roomIdOf('arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456'), 'abcDEF123456');
    assert.equal(roomIdOf('arn:aws:ivschat:us-east-1:123456789012:room/short'), undefined);
  });
});
