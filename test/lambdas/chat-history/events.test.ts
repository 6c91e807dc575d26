/**
 * The invokable fixtures (events/<case>.json, what `sam local invoke -e` takes) are exactly the
 * readable payloads in events/decoded/, as CloudWatch Logs encodes them; regenerate them with
 * `tsx scripts/history-events.ts` after editing a decoded one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSubscriptionEvent } from '../../../lambdas/chat-history/subscription.js';
import { parseChatLogRecord } from '../../../lambdas/chat-history/records.js';
import { HISTORY_EVENTS } from '../../../scripts/history-events.js';
import { loadDecoded, loadEvent } from './helpers.js';

const cases = readdirSync(join(HISTORY_EVENTS, 'decoded'))
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length));

describe('chat-history events/', () => {
  it('has a fixture per case', () => {
    for (const name of [
      'message',
      'delete',
      'redelivery',
      'delete-then-message-same-batch',
      'malformed',
      'expired',
    ])
      assert.ok(cases.includes(name), name);
  });

  for (const name of cases) {
    it(`${name}.json is the encoded decoded/${name}.json`, () => {
      const decoded = decodeSubscriptionEvent(loadEvent(name));

      assert.ok(decoded.ok);
      const { malformedEvents, ...payload } = decoded.value;
      assert.equal(malformedEvents, 0);
      const expected = loadDecoded(name);
      assert.ok(typeof expected === 'object' && expected !== null);
      for (const [key, value] of Object.entries(payload))
        assert.deepEqual(value, Reflect.get(expected, key), key);
    });
  }

  it('parses the recorded records in the documented shape', () => {
    const decoded = decodeSubscriptionEvent(loadEvent('message'));
    assert.ok(decoded.ok);

    const record = parseChatLogRecord(decoded.value.logEvents[0]?.message ?? '');

    assert.ok(record.ok && record.value.kind === 'message');
    assert.equal(record.value.message.id, 'WhO6MW6iRdS5');
  });
});
