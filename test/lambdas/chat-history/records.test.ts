/** Unit edges of the chat log record parser and of the subscription event decoder. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { parseChatLogRecord } from '../../../lambdas/chat-history/records.js';
import { decodeSubscriptionEvent } from '../../../lambdas/chat-history/subscription.js';
import { loadConfig } from '../../../lambdas/chat-history/config.js';
import { historySortKey, sortableTime } from '../../../shared/table/messages.js';

const deleteRecord = (attributes: Record<string, string>): string =>
  JSON.stringify({
    event_timestamp: '2026-01-05T14:34:00.100Z',
    type: 'EVENT',
    version: '1.0',
    payload: { Type: 'EVENT', Id: 'Ev3nt0000001', EventName: 'aws:DELETE_MESSAGE', Attributes: attributes },
  });

describe('parseChatLogRecord', () => {
  it('reads the deleted message id from MessageId or from the deprecated MessageID', () => {
    const modern = parseChatLogRecord(deleteRecord({ MessageId: 'AAAAAAAAAAA1' }));
    const legacy = parseChatLogRecord(deleteRecord({ MessageID: 'AAAAAAAAAAA2' }));

    assert.ok(modern.ok && modern.value.kind === 'delete' && modern.value.messageId === 'AAAAAAAAAAA1');
    assert.ok(legacy.ok && legacy.value.kind === 'delete' && legacy.value.messageId === 'AAAAAAAAAAA2');
  });

  it('dates a delete without SendTime by its event_timestamp', () => {
    const parsed = parseChatLogRecord(deleteRecord({ MessageId: 'AAAAAAAAAAA1' }));

    assert.ok(parsed.ok && parsed.value.kind === 'delete');
    assert.equal(parsed.value.timeMs, Date.parse('2026-01-05T14:34:00.100Z'));
  });
});

const approvedRecord = (attributes: Record<string, string>): string =>
  JSON.stringify({
    event_timestamp: '2026-01-05T14:35:00.100Z',
    type: 'EVENT',
    version: '1.0',
    payload: {
      Type: 'EVENT',
      Id: 'Ev3nt0000002',
      EventName: 'app:approved-message',
      Attributes: attributes,
      SendTime: '2026-01-05T14:35:00.050Z',
    },
  });

describe('parseChatLogRecord of an approved held message', () => {
  it("keeps it as a message of its original sender, from the event's attributes, at the event's time", () => {
    const parsed = parseChatLogRecord(
      approvedRecord({
        heldId: 'AAAAAAAAAAAAAAA1',
        userId: 'bob',
        displayName: 'Bob',
        text: 'big spoiler ahead',
        senderAttributes: JSON.stringify({ displayName: 'Bob', role: 'user' }),
      }),
    );

    assert.ok(parsed.ok && parsed.value.kind === 'message');
    assert.deepEqual(parsed.value.message, {
      id: 'Ev3nt0000002',
      content: 'big spoiler ahead',
      sendTime: '2026-01-05T14:35:00.050Z',
      sender: { userId: 'bob', attributes: { displayName: 'Bob', role: 'user' } },
      attributes: { heldId: 'AAAAAAAAAAAAAAA1' },
    });
    assert.equal(parsed.value.sendTimeMs, Date.parse('2026-01-05T14:35:00.050Z'));
  });

  it('falls back to the display name when the sender attributes did not fit', () => {
    const parsed = parseChatLogRecord(
      approvedRecord({ heldId: 'AAAAAAAAAAAAAAA1', userId: 'bob', displayName: 'Bob', text: 'hi' }),
    );

    assert.ok(parsed.ok && parsed.value.kind === 'message');
    assert.deepEqual(parsed.value.message.sender, { userId: 'bob', attributes: { displayName: 'Bob' } });
  });

  it('refuses one without a sender, a text or a well-formed held id (skipped, not stored)', () => {
    const cases = [
      { heldId: 'AAAAAAAAAAAAAAA1', text: 'hi' },
      { heldId: 'AAAAAAAAAAAAAAA1', userId: 'bob' },
      { heldId: 'short', userId: 'bob', text: 'hi' },
    ];

    for (const attributes of cases) {
      assert.equal(parseChatLogRecord(approvedRecord(attributes)).ok, false, JSON.stringify(attributes));
    }
  });
});

describe('history sort keys', () => {
  it('orders nanosecond and millisecond send times as the times they name', () => {
    const times = ['2026-01-05T14:33:32.9Z', '2026-01-05T14:33:32.894089757Z', '2026-01-05T14:33:32Z'];

    const sorted = times.map((time) => sortableTime(time) ?? '').sort();

    assert.deepEqual(sorted, [
      '2026-01-05T14:33:32.000000000Z',
      '2026-01-05T14:33:32.894089757Z',
      '2026-01-05T14:33:32.900000000Z',
    ]);
  });

  it('refuses a time with an offset or no time at all', () => {
    assert.equal(historySortKey('2026-01-05T14:33:32+01:00', 'a'), undefined);
    assert.equal(historySortKey('2026-13-45T99:99:99Z', 'a'), undefined);
  });
});

describe('decodeSubscriptionEvent', () => {
  it('refuses data that inflates past its bound instead of exhausting memory', () => {
    const bomb = gzipSync(Buffer.alloc(9 * 1024 * 1024, 0x20));

    const decoded = decodeSubscriptionEvent({ awslogs: { data: bomb.toString('base64') } });

    assert.equal(decoded.ok, false);
  });

  it('counts log events that are not {id, timestamp, message}', () => {
    const data = gzipSync(
      JSON.stringify({
        messageType: 'DATA_MESSAGE',
        logGroup: 'g',
        logStream: 's',
        logEvents: [{ id: 1 }, null],
      }),
    ).toString('base64');

    const decoded = decodeSubscriptionEvent({ awslogs: { data } });

    assert.ok(decoded.ok);
    assert.equal(decoded.value.malformedEvents, 2);
  });
});

describe('chat-history configuration', () => {
  it('defaults the retention to 7 days', () => {
    assert.equal(loadConfig({ CHAT_TABLE: 't' }).retentionDays, 7);
  });

  it('refuses a retention outside 1..365 days', () => {
    for (const value of ['0', '366', '1.5', 'week']) {
      assert.match(
        loadConfig({ CHAT_TABLE: 't', HISTORY_RETENTION_DAYS: value }).problems.join(),
        /1 to 365/,
        value,
      );
    }
  });

  it('requires CHAT_TABLE', () => {
    assert.match(loadConfig({}).problems.join(), /CHAT_TABLE is required/);
  });
});
