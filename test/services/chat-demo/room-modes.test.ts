import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MODES_OFF,
  countdownText,
  exemptFromSlowMode,
  isHeldRefusal,
  isMembersOnlyRefusal,
  membersOnlyNotice,
  modesChangeNotice,
  modesFromEvent,
  modesSummary,
  parseModes,
  secondsLeft,
  slowModeUntil,
  slowModeWaitFromRefusal,
  validateSlowModeSeconds,
} from '../../../services/chat-demo/src/room-modes.js';
import {
  parsePinned,
  pinFromEvent,
  pinnedView,
  validatePinText,
} from '../../../services/chat-demo/src/pinned.js';
import {
  approvedMessage,
  heldIdFromRefusal,
  parseHeldPage,
  pendingFor,
} from '../../../services/chat-demo/src/held.js';
import { describeModeChange, logLine, parseLogPage } from '../../../services/chat-demo/src/moderation-log.js';
import { formatUntil } from '../../../services/chat-demo/src/moderation.js';

// Local times, so the expected text holds in any time zone.
const NOW = new Date(2026, 0, 5, 14, 0);

describe('room modes', () => {
  it('reads a Room’s modes and refuses malformed ones rather than guess', () => {
    const modes = { slowModeSeconds: 30, membersOnlySend: true, holdForReview: false };
    assert.deepEqual(parseModes(modes), modes);
    assert.deepEqual(parseModes({ ...modes, slowModeSeconds: 3600 }), { ...modes, slowModeSeconds: 3600 });
    for (const bad of [
      { ...modes, slowModeSeconds: 3601 },
      { ...modes, slowModeSeconds: 1.5 },
      { ...modes, slowModeSeconds: '30' },
      { ...modes, membersOnlySend: 'true' },
      { slowModeSeconds: 0 },
      null,
      [],
    ]) {
      assert.equal(parseModes(bad), undefined, JSON.stringify(bad));
    }
  });

  it('reads the app:modes event’s string attributes, all three or none', () => {
    assert.deepEqual(
      modesFromEvent({ slowModeSeconds: '10', membersOnlySend: 'false', holdForReview: 'true' }),
      { slowModeSeconds: 10, membersOnlySend: false, holdForReview: true },
    );
    assert.equal(modesFromEvent({ slowModeSeconds: '10', membersOnlySend: 'false' }), undefined);
    assert.equal(
      modesFromEvent({ slowModeSeconds: '-1', membersOnlySend: 'false', holdForReview: 'true' }),
      undefined,
    );
    assert.equal(
      modesFromEvent({ slowModeSeconds: '9999', membersOnlySend: 'false', holdForReview: 'true' }),
      undefined,
    );
    assert.equal(
      modesFromEvent({ slowModeSeconds: '5', membersOnlySend: 'yes', holdForReview: 'true' }),
      undefined,
    );
    assert.equal(modesFromEvent(undefined), undefined);
  });

  it('sums the modes up for everyone, and says when all are off', () => {
    assert.deepEqual(modesSummary(MODES_OFF), []);
    assert.deepEqual(modesSummary({ slowModeSeconds: 5, membersOnlySend: true, holdForReview: true }), [
      'Slow mode: 5 s',
      'Members only',
      'Messages may be held for review',
    ]);
    assert.equal(modesChangeNotice(MODES_OFF), 'Room modes are off.');
    assert.equal(
      modesChangeNotice({ slowModeSeconds: 0, membersOnlySend: true, holdForReview: false }),
      'Room modes now: Members only.',
    );
  });

  it('takes slow mode seconds from 1 to 3600 in the form', () => {
    assert.deepEqual(validateSlowModeSeconds(' 45 '), { ok: true, seconds: 45 });
    assert.deepEqual(validateSlowModeSeconds('3600'), { ok: true, seconds: 3600 });
    for (const bad of ['0', '3601', '1.5', '', 'ten', '-3', '1e3']) {
      assert.equal(validateSlowModeSeconds(bad).ok, false, bad);
    }
  });

  it('counts down from a delivered message, except for the exempt', () => {
    const modes = { ...MODES_OFF, slowModeSeconds: 10 };
    assert.equal(slowModeUntil(modes, false, 1_000), 11_000);
    assert.equal(slowModeUntil(modes, true, 1_000), undefined);
    assert.equal(slowModeUntil(MODES_OFF, false, 1_000), undefined);
    assert.equal(exemptFromSlowMode(['user'], 'moderator'), true);
    assert.equal(exemptFromSlowMode(['user'], 'owner'), true);
    assert.equal(exemptFromSlowMode(['admin'], null), true);
    assert.equal(exemptFromSlowMode(['user'], 'member'), false);
    assert.equal(exemptFromSlowMode(['moderator'], null), false);
  });

  it('rounds the seconds left up, so the last second shows until it is over', () => {
    assert.equal(secondsLeft(10_000, 0), 10);
    assert.equal(secondsLeft(10_000, 9_001), 1);
    assert.equal(secondsLeft(10_000, 9_999), 1);
    assert.equal(secondsLeft(10_000, 10_000), 0);
    assert.equal(secondsLeft(10_000, 12_000), 0);
    assert.equal(countdownText(3), 'Slow mode: you can send again in 3 s.');
  });

  it('understands the review function’s refusals: slow mode, held, members only', () => {
    // The texts of lambdas/message-review (slowModeReason, HELD_REASON, the members-only standing).
    assert.equal(slowModeWaitFromRefusal('Slow mode: wait 7 s before your next message.'), 7);
    assert.equal(slowModeWaitFromRefusal('Slow mode: wait 0 s before your next message.'), undefined);
    assert.equal(slowModeWaitFromRefusal('Your message contains a blocked term.'), undefined);
    assert.equal(isHeldRefusal('Your message is waiting for a moderator.'), true);
    assert.equal(
      isHeldRefusal('Your message is too long for a moderator to review. Please shorten it.'),
      false,
    );
    assert.equal(isMembersOnlyRefusal('Only members may send messages in this room.'), true);
    assert.equal(isMembersOnlyRefusal('You are timed out until 2026-01-01T10:00:00.000Z.'), false);
  });

  it('explains members-only to a non-member whose token cannot send, with Join in a public room', () => {
    const base = {
      modes: { ...MODES_OFF, membersOnlySend: true },
      capabilities: [] as const,
      roomRole: null,
      privacy: 'public' as const,
      appRoles: ['user'],
      timedOut: false,
    };
    assert.deepEqual(membersOnlyNotice(base), { text: 'Only members may send here.', canJoin: true });
    assert.deepEqual(membersOnlyNotice({ ...base, privacy: 'private' }), {
      text: 'Only members may send here.',
      canJoin: false,
    });
    // Not the reason: the mode is off, the token may send, they are a member, a viewer, timed out.
    assert.equal(membersOnlyNotice({ ...base, modes: MODES_OFF }), undefined);
    assert.equal(membersOnlyNotice({ ...base, capabilities: ['SEND_MESSAGE'] }), undefined);
    assert.equal(membersOnlyNotice({ ...base, roomRole: 'member' }), undefined);
    assert.equal(membersOnlyNotice({ ...base, appRoles: ['viewer'] }), undefined);
    assert.equal(membersOnlyNotice({ ...base, timedOut: true }), undefined);
  });
});

describe('the pinned message', () => {
  const pinned = { text: 'Be kind', by: 'mia-1', at: '2026-01-05T13:00:00.000Z' };

  it('reads a Room’s pin, with or without its message id, and refuses a malformed one', () => {
    assert.deepEqual(parsePinned(pinned), pinned);
    assert.deepEqual(parsePinned({ ...pinned, messageId: 'abcDEF123456' }), {
      ...pinned,
      messageId: 'abcDEF123456',
    });
    assert.equal(parsePinned({ ...pinned, at: 'yesterday' }), undefined);
    assert.equal(parsePinned({ text: 'x', at: pinned.at }), undefined);
    assert.equal(parsePinned({ ...pinned, messageId: '' }), undefined);
    assert.equal(parsePinned('Be kind'), undefined);
  });

  it('reads app:pin, and asks for the room when the text was left out (over 1 KB)', () => {
    assert.deepEqual(pinFromEvent(pinned), { pinned });
    assert.deepEqual(pinFromEvent({ by: pinned.by, at: pinned.at }), { reread: true });
    assert.equal(pinFromEvent({ text: 'x', at: pinned.at }), undefined);
    assert.equal(pinFromEvent(undefined), undefined);
  });

  it('names who pinned it: you, a name seen in the room, else the id', () => {
    const at = new Date(pinned.at);
    const names = new Map([['mia-1', 'Mia']]);
    assert.deepEqual(pinnedView(pinned, names, 'bob-2', NOW), {
      text: 'Be kind',
      detail: `Pinned by Mia at ${formatUntil(at, NOW)}`,
    });
    assert.equal(pinnedView(pinned, names, 'mia-1', NOW).detail, `Pinned by you at ${formatUntil(at, NOW)}`);
    assert.equal(
      pinnedView(pinned, new Map(), 'bob-2', NOW).detail,
      `Pinned by mia-1 at ${formatUntil(at, NOW)}`,
    );
  });

  it('takes 1 to 500 characters to pin, counted in code points', () => {
    assert.deepEqual(validatePinText('  hello '), { ok: true, text: 'hello' });
    assert.equal(validatePinText('   ').ok, false);
    assert.equal(validatePinText('😀'.repeat(500)).ok, true);
    assert.equal(validatePinText('a'.repeat(501)).ok, false);
  });
});

describe('held messages', () => {
  const held = {
    id: 'AbCdEfGhIjKlMnOp',
    content: 'see example.com',
    sender: { userId: 'bob-2', attributes: { displayName: 'Bob' } },
    heldAt: '2026-01-05T13:00:00.000Z',
    reason: 'link',
  };

  it('reads a page of the queue, and refuses it whole when one entry is malformed', () => {
    assert.deepEqual(parseHeldPage({ held: [held], nextToken: 'n1' }), { held: [held], nextToken: 'n1' });
    assert.deepEqual(parseHeldPage({ held: [] }), { held: [], nextToken: undefined });
    assert.equal(parseHeldPage({ held: [{ ...held, heldAt: 'soon' }] }), undefined);
    assert.equal(
      parseHeldPage({ held: [{ ...held, sender: { userId: 'x', attributes: { a: 1 } } }] }),
      undefined,
    );
    assert.equal(parseHeldPage({ held: 'none' }), undefined);
  });

  it('shows app:approved-message as a message of its original sender', () => {
    const sendTime = new Date(2026, 0, 5, 14, 0);
    const approved = approvedMessage({
      id: 'evt123',
      sendTime,
      attributes: { heldId: held.id, userId: 'bob-2', displayName: 'Bob', text: 'see example.com' },
    });
    assert.deepEqual(approved, {
      id: 'evt123',
      sendTime,
      heldId: held.id,
      message: {
        id: 'evt123',
        content: 'see example.com',
        sendTime,
        sender: { userId: 'bob-2', attributes: { displayName: 'Bob' } },
      },
    });
    assert.equal(approvedMessage({ id: 'evt123', sendTime, attributes: { text: 'x' } }), undefined);
  });

  it('replaces the sender’s own waiting copy: by held id, else the oldest with the same text', () => {
    const sendTime = new Date(0);
    const approved = approvedMessage({
      id: 'evt1',
      sendTime,
      attributes: { heldId: held.id, userId: 'bob-2', text: 'same' },
    });
    assert.ok(approved !== undefined);
    const first = { text: 'same', heldId: undefined };
    const second = { text: 'same', heldId: undefined };
    const byId = { text: 'other text', heldId: held.id };
    assert.equal(pendingFor([first, second, byId], approved, 'bob-2'), byId);
    assert.equal(pendingFor([first, second], approved, 'bob-2'), first);
    // Someone else's approved message replaces nothing of mine.
    assert.equal(pendingFor([first], approved, 'cat-3'), undefined);
    assert.equal(
      heldIdFromRefusal('Your message is waiting for a moderator (held id AbCdEf12).'),
      'AbCdEf12',
    );
    assert.equal(heldIdFromRefusal('Your message is waiting for a moderator.'), undefined);
  });
});

describe('the moderation log', () => {
  it('reads a page, skipping a malformed entry and keeping one of an action the page does not know', () => {
    const page = parseLogPage({
      entries: [
        { time: '2026-01-05T13:00:00.000Z', action: 'pin', by: 'mia-1' },
        { time: 'never', action: 'pin', by: 'mia-1' },
        { time: '2026-01-05T12:00:00.000Z', action: 'somethingNew', by: 'mia-1', target: 'bob-2' },
      ],
      nextToken: 'n2',
    });
    assert.equal(page?.entries.length, 2);
    assert.equal(page.nextToken, 'n2');
    assert.equal(parseLogPage({ entries: {} }), undefined);
  });

  it('writes each entry as a sentence: who did what to whom, why', () => {
    const names = new Map([
      ['mia-1', 'Mia'],
      ['bob-2', 'Bob'],
    ]);
    const time = new Date(2026, 0, 5, 13, 0).toISOString();
    const line = (entry: Parameters<typeof logLine>[0]) => logLine(entry, names, 'mia-1', NOW).text;
    assert.equal(
      line({ time, action: 'setModes', by: 'mia-1', reason: 'slowModeSeconds=30 membersOnlySend=true' }),
      'You changed the room modes: slow mode 30 s, members only on.',
    );
    assert.equal(line({ time, action: 'pin', by: 'bob-2' }), 'Bob (bob-2) pinned a text.');
    assert.equal(line({ time, action: 'pin', by: 'mia-1', messageId: 'm1' }), 'You pinned a message.');
    assert.equal(
      line({ time, action: 'rejectHeld', by: 'mia-1', target: 'bob-2', reason: 'spam' }),
      'You rejected a held message from Bob (bob-2). Reason: spam',
    );
    assert.equal(
      line({ time, action: 'somethingNew', by: 'mia-1', target: 'cat-3' }),
      'You: somethingNew (cat-3).',
    );
    assert.equal(logLine({ time, action: 'unpin', by: 'mia-1' }, names, 'mia-1', NOW).when, '13:00');
    assert.equal(
      describeModeChange('slowModeSeconds=0 holdForReview=false'),
      'slow mode off, held for review off',
    );
  });
});
