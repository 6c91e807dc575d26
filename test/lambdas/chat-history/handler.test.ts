/**
 * The chat-history handler against recorded-shape CloudWatch Logs subscription events
 * (lambdas/chat-history/events/), writing to a real dynalite table, read back through the same
 * listMessages the history route calls.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listMessages } from '../../../services/token-vending/features/messages/store.js';
import {
  capturingLogger,
  getItem,
  historyHandler,
  loadEvent,
  messageKey,
  NOW,
  ROOM_ID,
  startTable,
  tombstoneKey,
  type TableHarness,
} from './helpers.js';

const DAY_S = 24 * 60 * 60;

describe('chat-history handler', () => {
  let harness: TableHarness;
  before(async () => {
    harness = await startTable();
  });
  after(async () => {
    await harness.close();
  });

  // Each test uses its own table: fixtures share message ids on purpose.
  async function fresh(): Promise<TableHarness> {
    return startTable();
  }

  it('stores a MESSAGE as it was delivered, under its IVS id, with a TTL of the retention', async () => {
    const { table, close } = await fresh();
    try {
      const summary = await historyHandler(table)(loadEvent('message'));

      assert.equal(summary.written, 1);
      const page = await listMessages(table, ROOM_ID, { limit: 50, now: NOW });
      assert.deepEqual(page.messages, [
        {
          id: 'WhO6MW6iRdS5',
          content: 'first *** message',
          sendTime: '2026-01-05T14:33:32.894089757Z',
          sender: { userId: 'user-ann', attributes: { displayName: 'Ann', role: 'member' } },
          attributes: { replyTo: 'Vw1PwPV74GN3' },
        },
      ]);
      const item = await getItem(table, messageKey('WhO6MW6iRdS5'));
      assert.equal(item?.ttl, Math.ceil(Date.parse('2026-01-05T14:33:32.894Z') / 1000) + 7 * DAY_S);
      assert.equal(item.gsi1sk, '2026-01-05T14:33:32.894089757Z#WhO6MW6iRdS5');
    } finally {
      await close();
    }
  });

  it('removes a message when its aws:DELETE_MESSAGE arrives after it', async () => {
    const { table, close } = await fresh();
    try {
      const handler = historyHandler(table);
      await handler(loadEvent('message'));

      const summary = await handler(loadEvent('delete'));

      assert.equal(summary.deleted, 1);
      assert.equal(await getItem(table, messageKey('WhO6MW6iRdS5')), undefined);
      assert.deepEqual((await listMessages(table, ROOM_ID, { limit: 50, now: NOW })).messages, []);
    } finally {
      await close();
    }
  });

  it('never shows a message whose aws:DELETE_MESSAGE arrived first, in an earlier batch', async () => {
    const { table, close } = await fresh();
    try {
      const handler = historyHandler(table);
      await handler(loadEvent('delete'));

      const summary = await handler(loadEvent('message'));

      assert.equal(summary.written, 0);
      assert.equal(summary.deleted, 1);
      assert.equal(await getItem(table, messageKey('WhO6MW6iRdS5')), undefined);
      assert.ok(await getItem(table, tombstoneKey('WhO6MW6iRdS5')), 'the tombstone stays for redeliveries');
    } finally {
      await close();
    }
  });

  it('never shows a message whose delete comes first in the same batch', async () => {
    const { table, close } = await fresh();
    try {
      await historyHandler(table)(loadEvent('delete-then-message-same-batch'));

      assert.equal(await getItem(table, messageKey('00kqu1sPa6dF')), undefined);
      assert.deepEqual((await listMessages(table, ROOM_ID, { limit: 50, now: NOW })).messages, []);
    } finally {
      await close();
    }
  });

  it('keeps a deleted message deleted when its MESSAGE record is redelivered later', async () => {
    const { table, close } = await fresh();
    try {
      const handler = historyHandler(table);
      await handler(loadEvent('message'));
      await handler(loadEvent('delete'));

      await handler(loadEvent('message'));

      assert.equal(await getItem(table, messageKey('WhO6MW6iRdS5')), undefined);
    } finally {
      await close();
    }
  });

  it('gives the tombstone the retention counted from the delete', async () => {
    const { table, close } = await fresh();
    try {
      await historyHandler(table)(loadEvent('delete'));

      const tombstone = await getItem(table, tombstoneKey('WhO6MW6iRdS5'));
      // The delete was logged at 14:34:00.100; the clock reads 15:00, later: the tombstone counts from now.
      assert.equal(tombstone?.ttl, NOW / 1000 + 7 * DAY_S);
    } finally {
      await close();
    }
  });

  it('is idempotent under redelivery: one message, the first copy kept', async () => {
    const { table, close } = await fresh();
    try {
      const handler = historyHandler(table);

      const first = await handler(loadEvent('redelivery'));
      const again = await handler(loadEvent('redelivery'));

      assert.equal(first.written + first.duplicates, 2);
      assert.equal(first.written, 1);
      assert.equal(again.duplicates, 2);
      assert.equal((await listMessages(table, ROOM_ID, { limit: 50, now: NOW })).messages.length, 1);
    } finally {
      await close();
    }
  });

  it('does not keep a MESSAGE older than the retention', async () => {
    const { table, close } = await fresh();
    try {
      const summary = await historyHandler(table)(loadEvent('expired'));

      assert.equal(summary.expired, 1);
      assert.equal(await getItem(table, messageKey('OldMsg000001')), undefined);
    } finally {
      await close();
    }
  });

  it('keeps what HISTORY_RETENTION_DAYS allows', async () => {
    const { table, close } = await fresh();
    try {
      const summary = await historyHandler(table, { env: { HISTORY_RETENTION_DAYS: '60' } })(
        loadEvent('expired'),
      );

      assert.equal(summary.written, 1);
    } finally {
      await close();
    }
  });

  it('ignores other events and control messages', async () => {
    const { table, close } = await fresh();
    try {
      const handler = historyHandler(table);

      const events = await handler(loadEvent('other-events'));
      const control = await handler(loadEvent('control'));

      assert.deepEqual([events.ignored, events.skipped, control.ignored, control.skipped], [2, 0, 1, 0]);
    } finally {
      await close();
    }
  });

  it('skips and counts malformed records without throwing, and stores the good ones beside them', async () => {
    const { table, close } = await fresh();
    const capture = capturingLogger();
    try {
      const summary = await historyHandler(table, { logger: capture.logger })(loadEvent('malformed'));

      assert.equal(summary.skipped, 7);
      assert.equal(summary.written, 1);
      assert.ok(await getItem(table, messageKey('VwEPwPV74GN3')));
      const batchLine = capture.lines.find((line) => line.message === 'chat history batch');
      assert.equal(batchLine?.Skipped, 7);
      assert.ok(JSON.stringify(batchLine._aws).includes('"Skipped"'), 'an EMF metric');
    } finally {
      await close();
    }
  });

  it('logs a batch of garbage in a bounded number of lines, counting every record', async () => {
    const { encodeSubscriptionEvent } = await import('../../../services/local-ivschat/log-subscriptions.js');
    const capture = capturingLogger();
    const event = encodeSubscriptionEvent({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: 'g',
      logStream: `aws/IVSChatLogs/1.0/room_${ROOM_ID}`,
      subscriptionFilters: [],
      logEvents: Array.from({ length: 500 }, (_, i) => ({
        id: String(i),
        timestamp: NOW,
        message: 'garbage',
      })),
    });

    const summary = await historyHandler(harness.table, { logger: capture.logger })(event);

    assert.equal(summary.skipped, 500);
    assert.ok(capture.lines.length <= 25, `${capture.lines.length} log lines`);
  });

  it('logs no message text and no user id', async () => {
    const { table, close } = await fresh();
    const capture = capturingLogger();
    try {
      const handler = historyHandler(table, { logger: capture.logger });
      for (const name of ['malformed', 'message', 'delete', 'other-events']) await handler(loadEvent(name));

      for (const secret of ['still stored', 'first *** message', 'user-ann', 'user-bob', 'hash in id']) {
        assert.ok(!capture.text().includes(secret), secret);
      }
    } finally {
      await close();
    }
  });

  it('answers an event that is not a subscription event with a count, not a throw', async () => {
    const summary = await historyHandler(harness.table)(loadEvent('not-a-subscription'));

    assert.equal(summary.skipped, 1);
  });

  it('skips events of a log stream that is not a room chat log', async () => {
    const { encodeSubscriptionEvent } = await import('../../../services/local-ivschat/log-subscriptions.js');
    const event = encodeSubscriptionEvent({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: 'g',
      logStream: 'some/other/stream',
      subscriptionFilters: [],
      logEvents: [{ id: '1', timestamp: NOW, message: '{}' }],
    });

    const summary = await historyHandler(harness.table)(event);

    assert.equal(summary.skipped, 1);
  });

  it('fails the batch, to be retried, when the table refuses writes', async () => {
    const { table, close } = await fresh();
    await close();

    await assert.rejects(historyHandler(table)(loadEvent('message')), { name: 'HistoryBatchError' });
  });

  it('fails every batch while CHAT_TABLE is missing', async () => {
    const handler = historyHandler(harness.table, { env: { CHAT_TABLE: '' } });

    await assert.rejects(handler(loadEvent('message')), /CHAT_TABLE is required/);
  });
});
