/** listMessages against a real dynalite table: newest first, paging, expiry, bad cursors. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  InvalidCursorError,
  isHistoryCursor,
  listMessages,
} from '../../../../../services/token-vending/features/messages/store.js';
import { messageItem } from '../../../../../shared/table/messages.js';
import { keys } from '../../../../../shared/table/keys.js';
import type { Table } from '../../../../../shared/table/client.js';
import { startTable, type TableHarness } from '../../../../lambdas/chat-history/helpers.js';

const ROOM = 'RoomAAAA0001';
const OTHER_ROOM = 'RoomBBBB0002';
const NOW = Date.parse('2026-01-05T15:00:00.000Z');
const LIVE_TTL = NOW / 1000 + 3600;

async function put(table: Table, roomId: string, index: number, ttl = LIVE_TTL): Promise<void> {
  const second = String(index % 60).padStart(2, '0');
  const minute = String(Math.floor(index / 60)).padStart(2, '0');
  const item = messageItem({
    roomId,
    id: `msg${String(index).padStart(9, '0')}`,
    content: `message ${index}`,
    sendTime: `2026-01-05T14:${minute}:${second}.5Z`,
    sender: { userId: 'u', attributes: {} },
    attributes: {},
    ttl,
  });
  assert.ok(item);
  await table.client.send(new PutCommand({ TableName: table.name, Item: item }));
}

describe('listMessages', () => {
  let harness: TableHarness;
  before(async () => {
    harness = await startTable();
    for (let i = 0; i < 25; i++) await put(harness.table, ROOM, i);
    await put(harness.table, OTHER_ROOM, 99);
  });
  after(async () => {
    await harness.close();
  });

  it('lists a room newest first, in the API shape, and only that room', async () => {
    const page = await listMessages(harness.table, ROOM, { limit: 3, now: NOW });

    assert.deepEqual(
      page.messages.map((message) => message.id),
      ['msg000000024', 'msg000000023', 'msg000000022'],
    );
    assert.deepEqual(page.messages[0], {
      id: 'msg000000024',
      content: 'message 24',
      sendTime: '2026-01-05T14:00:24.5Z',
      sender: { userId: 'u', attributes: {} },
      attributes: {},
    });
  });

  it('pages to the oldest message with no gap, no repeat and no cursor on the last page', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listMessages(harness.table, ROOM, { limit: 10, cursor, now: NOW });
      seen.push(...page.messages.map((message) => message.id));
      cursor = page.next;
      pages++;
    } while (cursor !== undefined && pages < 10);

    assert.equal(pages, 3);
    assert.deepEqual(
      seen,
      Array.from({ length: 25 }, (_, i) => `msg${String(24 - i).padStart(9, '0')}`),
    );
  });

  it('gives no cursor when the page holds exactly what is left', async () => {
    const page = await listMessages(harness.table, ROOM, { limit: 25, now: NOW });

    assert.equal(page.messages.length, 25);
    assert.equal(page.next, undefined);
  });

  it('skips expired messages, still filling the page', async () => {
    const local = await startTable();
    try {
      for (let i = 0; i < 5; i++) await put(local.table, ROOM, i);
      for (let i = 5; i < 10; i++) await put(local.table, ROOM, i, NOW / 1000 - 1);
      for (let i = 10; i < 12; i++) await put(local.table, ROOM, i);

      const page = await listMessages(local.table, ROOM, { limit: 4, now: NOW });

      assert.deepEqual(
        page.messages.map((message) => message.id),
        ['msg000000011', 'msg000000010', 'msg000000004', 'msg000000003'],
      );
      assert.ok(page.next !== undefined);
    } finally {
      await local.close();
    }
  });

  it('never returns a message that has a tombstone, even while its item is still listed', async () => {
    // Prepare: the moment between a MESSAGE write and its tombstone check, or index lag after a delete.
    const local = await startTable();
    try {
      for (let i = 0; i < 4; i++) await put(local.table, ROOM, i);
      await local.table.client.send(
        new PutCommand({
          TableName: local.table.name,
          Item: { ...keys.deletedMessage(ROOM, 'msg000000002'), ttl: LIVE_TTL },
        }),
      );

      const first = await listMessages(local.table, ROOM, { limit: 2, now: NOW });
      const second = await listMessages(local.table, ROOM, { limit: 2, cursor: first.next, now: NOW });

      assert.deepEqual(
        [...first.messages, ...second.messages].map((message) => message.id),
        ['msg000000003', 'msg000000001', 'msg000000000'],
      );
    } finally {
      await local.close();
    }
  });

  it('refuses a cursor that is not a history position', async () => {
    await assert.rejects(
      listMessages(harness.table, ROOM, { limit: 5, cursor: 'ROOM#x', now: NOW }),
      InvalidCursorError,
    );
    assert.equal(isHistoryCursor('2026-01-05T14:00:24.500000000Z#msg000000024'), true);
    assert.equal(isHistoryCursor('2026-01-05T14:00:24Z#msg'), false);
  });

  it('refuses a limit outside 1..100', async () => {
    for (const limit of [0, 101, 2.5]) {
      await assert.rejects(listMessages(harness.table, ROOM, { limit, now: NOW }), RangeError, String(limit));
    }
  });
});
