import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  insertionPoints,
  mergeMessages,
  parseHistoryPage,
  shownFromHistory,
  withoutMessage,
} from '../../../services/chat-demo/src/history.js';

interface Message {
  readonly id: string;
  readonly sendTime: string | Date;
  readonly via: 'history' | 'live';
}

const fromHistory = (id: string, sendTime: string): Message => ({ id, sendTime, via: 'history' });
const live = (id: string, sendTime: string): Message => ({ id, sendTime: new Date(sendTime), via: 'live' });
const ids = (messages: readonly Message[]): string[] => messages.map((message) => message.id);

describe('mergeMessages', () => {
  it('shows history oldest first above the live messages', () => {
    // Prepare: the API answers newest first; one message arrived live meanwhile.
    const page = [
      fromHistory('c', '2026-01-05T14:00:03Z'),
      fromHistory('b', '2026-01-05T14:00:02Z'),
      fromHistory('a', '2026-01-05T14:00:01Z'),
    ];
    const shown = [live('d', '2026-01-05T14:00:04.000Z')];

    // Act
    const merged = mergeMessages(shown, page);

    // Assess
    assert.deepEqual(ids(merged), ['a', 'b', 'c', 'd']);
  });

  it('shows a message that arrived both live and in history once, keeping the live one', () => {
    const shown = [live('b', '2026-01-05T14:00:02.123Z')];
    const page = [
      fromHistory('b', '2026-01-05T14:00:02.123456789Z'),
      fromHistory('a', '2026-01-05T14:00:01Z'),
    ];

    const merged = mergeMessages(shown, page);

    assert.deepEqual(ids(merged), ['a', 'b']);
    assert.equal(merged[1]?.via, 'live');
  });

  it('places live messages that came before the fetch returned by their send time', () => {
    const shown = [live('x', '2026-01-05T14:00:05Z'), live('y', '2026-01-05T14:00:06Z')];
    const page = [fromHistory('x', '2026-01-05T14:00:05Z'), fromHistory('w', '2026-01-05T14:00:04.9Z')];

    assert.deepEqual(ids(mergeMessages(shown, page)), ['w', 'x', 'y']);
  });

  it('orders nanosecond history times against millisecond live times as the times they are', () => {
    // As plain text '…02.89Z' would sort after '…02.894Z' ('Z' > '4'), though it is earlier.
    const shown = [live('late', '2026-01-05T14:00:02.894Z')];
    const page = [
      fromHistory('early', '2026-01-05T14:00:02.89Z'),
      fromHistory('earliest', '2026-01-05T14:00:02.100200300Z'),
    ];

    assert.deepEqual(ids(mergeMessages(shown, page)), ['earliest', 'early', 'late']);
  });

  it('keeps a message deleted live out, even when history still returns it', () => {
    const shown = withoutMessage([live('a', '2026-01-05T14:00:01Z')], 'a');

    const merged = mergeMessages(shown, [fromHistory('a', '2026-01-05T14:00:01Z')], {
      deleted: new Set(['a']),
    });

    assert.deepEqual(ids(merged), []);
  });

  it('is idempotent: merging the same page again changes nothing', () => {
    const page = [fromHistory('b', '2026-01-05T14:00:02Z'), fromHistory('a', '2026-01-05T14:00:01Z')];
    const once = mergeMessages([live('c', '2026-01-05T14:00:03Z')], page);

    const twice = mergeMessages(once, page);

    assert.deepEqual(twice, once);
  });

  it('keeps only the newest max messages', () => {
    const page = [
      fromHistory('c', '2026-01-05T14:00:03Z'),
      fromHistory('b', '2026-01-05T14:00:02Z'),
      fromHistory('a', '2026-01-05T14:00:01Z'),
    ];

    assert.deepEqual(ids(mergeMessages([], page, { max: 2 })), ['b', 'c']);
  });

  it('does not change the list it was given', () => {
    const shown = [live('b', '2026-01-05T14:00:02Z')];

    mergeMessages(shown, [fromHistory('a', '2026-01-05T14:00:01Z')]);

    assert.deepEqual(ids(shown), ['b']);
  });
});

describe('parseHistoryPage', () => {
  const message = {
    id: 'msgABC123456',
    content: 'hello',
    sendTime: '2026-01-05T14:00:01.123456789Z',
    sender: { userId: 'ann-1', attributes: { displayName: 'Ann', role: 'user' } },
    attributes: { topic: 'x' },
  };

  it('reads the messages and the next page token', () => {
    assert.deepEqual(parseHistoryPage({ messages: [message], nextToken: 'n' }), {
      messages: [message],
      nextToken: 'n',
    });
  });

  it('skips a malformed message and keeps the others', () => {
    const page = parseHistoryPage({
      messages: [{ ...message, sendTime: 'yesterday' }, { ...message, sender: { userId: 7 } }, message],
    });

    assert.deepEqual(page?.messages, [message]);
  });

  it('refuses a page that is not one', () => {
    assert.equal(parseHistoryPage({ messages: 'none' }), undefined);
    assert.equal(parseHistoryPage({ messages: [], nextToken: 3 }), undefined);
  });
});

describe('insertionPoints', () => {
  const at = (id: string): Message => fromHistory(id, '2026-01-05T14:00:00Z');

  it('puts history above the messages already shown, in order', () => {
    const merged = ['a', 'b', 'c', 'd'].map(at);

    assert.deepEqual(insertionPoints(merged, new Set(['c', 'd'])), [
      { id: 'a', before: 'c' },
      { id: 'b', before: 'c' },
    ]);
  });

  it('puts a message that falls between shown ones before the next shown, and a newest one at the end', () => {
    const merged = ['a', 'b', 'c', 'd'].map(at);

    assert.deepEqual(insertionPoints(merged, new Set(['a', 'c'])), [
      { id: 'b', before: 'c' },
      { id: 'd', before: undefined },
    ]);
  });

  it('has nothing to place when everything is shown', () => {
    assert.deepEqual(insertionPoints(['a', 'b'].map(at), new Set(['a', 'b'])), []);
  });
});

describe('shownFromHistory', () => {
  it('shapes a history message as the SDK delivers a live one, keeping the exact send time for ordering', () => {
    const shown = shownFromHistory({
      id: 'msgABC123456',
      content: 'hello',
      sendTime: '2026-01-05T14:00:01.123456789Z',
      sender: { userId: 'ann-1', attributes: { displayName: 'Ann' } },
      attributes: {},
    });

    assert.equal(shown.sendTime, '2026-01-05T14:00:01.123456789Z');
    assert.deepEqual(shown.message, {
      id: 'msgABC123456',
      content: 'hello',
      sendTime: new Date('2026-01-05T14:00:01.123Z'),
      sender: { userId: 'ann-1', attributes: { displayName: 'Ann' } },
    });
  });
});
