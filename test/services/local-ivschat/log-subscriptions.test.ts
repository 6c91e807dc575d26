/**
 * Log subscriptions: a room's CloudWatch Logs chat log reaches the subscribed local function as the
 * standard subscription event, batched and bounded, and a failing function never reaches messaging.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CreateLoggingConfigurationCommand } from '@aws-sdk/client-ivschat';
import { SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { isRecord } from '../../../shared/json.js';
import { FunctionHost } from '../../../services/local-ivschat/function-host.js';
import {
  LogSubscriptionFeed,
  parseLogSubscriptions,
} from '../../../services/local-ivschat/log-subscriptions.js';
import { parseRoomArn } from '../../../shared/ivs/arn.js';
import { createRoom, fixtureFunction, join as joinRoom, quietLogger, startHarness } from './helpers.js';

/** Folders this file made for the recorder's events, removed when it ends. */
const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function recordFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'log-subscription-'));
  folders.push(folder);
  return join(folder, 'events.jsonl');
}

/** The payloads the record-events fixture was invoked with, decoded as a subscriber decodes them. */
function deliveredPayloads(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const event: unknown = JSON.parse(line);
      assert.ok(isRecord(event) && isRecord(event.awslogs) && typeof event.awslogs.data === 'string');
      const payload: unknown = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString());
      assert.ok(isRecord(payload));
      return payload;
    });
}

const recorder = (file: string) => ({
  recorder: { module: fixtureFunction('record-events.mjs'), env: { RECORD_FILE: file } },
});

describe('log subscriptions', () => {
  it('delivers a logged room’s records as CloudWatch Logs subscription events, in the room’s log stream', async () => {
    const file = recordFile();
    const harness = await startHarness({
      functions: recorder(file),
      logSubscriptions: { '/ivs/chat': 'recorder' },
    });
    try {
      const config = await harness.client.send(
        new CreateLoggingConfigurationCommand({
          destinationConfiguration: { cloudWatchLogs: { logGroupName: '/ivs/chat' } },
        }),
      );
      const roomArn = await createRoom(harness, { loggingConfigurationIdentifiers: [config.arn ?? ''] });
      const ann = await joinRoom(harness, roomArn, { userId: 'ann' });
      const sent = [];
      try {
        for (const text of ['one', 'two', 'three'])
          sent.push(await ann.sendMessage(new SendMessageRequest(text)));
      } finally {
        ann.disconnect();
      }

      await harness.emulator.flushLogSubscriptions();

      const payloads = deliveredPayloads(file);
      assert.ok(payloads.length >= 1);
      const roomId = parseRoomArn(roomArn)?.id ?? '';
      for (const payload of payloads) {
        assert.equal(payload.messageType, 'DATA_MESSAGE');
        assert.equal(payload.logGroup, '/ivs/chat');
        assert.equal(payload.logStream, `aws/IVSChatLogs/1.0/room_${roomId}`);
      }
      const records = payloads.flatMap((payload) =>
        (Array.isArray(payload.logEvents) ? payload.logEvents : []).map((event: unknown) => {
          assert.ok(isRecord(event) && typeof event.message === 'string' && typeof event.id === 'string');
          return JSON.parse(event.message) as Record<string, unknown>;
        }),
      );
      // Exactly the documented record: no room field (the stream names the room).
      for (const record of records)
        assert.deepEqual(Object.keys(record).sort(), ['event_timestamp', 'payload', 'type', 'version']);
      assert.deepEqual(
        records.map((record) => isRecord(record.payload) && record.payload.Id),
        sent.map((message) => message.id),
      );
    } finally {
      await harness.close();
    }
  });

  it('sends nothing for a room whose log group has no subscription', async () => {
    const file = recordFile();
    const harness = await startHarness({
      functions: recorder(file),
      logSubscriptions: { '/ivs/other': 'recorder' },
    });
    try {
      const config = await harness.client.send(
        new CreateLoggingConfigurationCommand({
          destinationConfiguration: { cloudWatchLogs: { logGroupName: '/ivs/chat' } },
        }),
      );
      const roomArn = await createRoom(harness, { loggingConfigurationIdentifiers: [config.arn ?? ''] });
      const ann = await joinRoom(harness, roomArn, { userId: 'ann' });
      try {
        await ann.sendMessage(new SendMessageRequest('unsubscribed'));
      } finally {
        ann.disconnect();
      }

      await harness.emulator.flushLogSubscriptions();

      assert.deepEqual(deliveredPayloads(file), []);
    } finally {
      await harness.close();
    }
  });

  it('keeps messaging working when the subscribed function fails', async () => {
    const harness = await startHarness({
      functions: { broken: { module: fixtureFunction('throws.mjs') } },
      logSubscriptions: { '/ivs/chat': 'broken' },
    });
    try {
      const config = await harness.client.send(
        new CreateLoggingConfigurationCommand({
          destinationConfiguration: { cloudWatchLogs: { logGroupName: '/ivs/chat' } },
        }),
      );
      const roomArn = await createRoom(harness, { loggingConfigurationIdentifiers: [config.arn ?? ''] });
      const ann = await joinRoom(harness, roomArn, { userId: 'ann' });
      try {
        const first = await ann.sendMessage(new SendMessageRequest('still delivered'));
        await harness.emulator.flushLogSubscriptions();
        const second = await ann.sendMessage(new SendMessageRequest('and again'));

        assert.equal(first.content, 'still delivered');
        assert.equal(second.content, 'and again');
      } finally {
        ann.disconnect();
      }
    } finally {
      await harness.close();
    }
  });
});

describe('LogSubscriptionFeed', () => {
  const stream = 'aws/IVSChatLogs/1.0/room_AbCdEfGh1234';

  it('sends at most batchSize records per invocation, in order', async () => {
    const file = recordFile();
    const functions = new FunctionHost({
      functions: recorder(file),
      region: 'us-east-1',
      logger: quietLogger,
    });
    const feed = new LogSubscriptionFeed({
      subscriptions: { g: 'recorder' },
      functions,
      region: 'us-east-1',
      accountId: '123456789012',
      logger: quietLogger,
      batchSize: 2,
    });
    try {
      for (let i = 0; i < 5; i++) feed.deliver('g', stream, `record ${i}`, 1_767_600_000_000 + i);

      await feed.drain();

      const batches = deliveredPayloads(file).map((payload) =>
        (Array.isArray(payload.logEvents) ? payload.logEvents : []).map((event: unknown) =>
          isRecord(event) ? event.message : undefined,
        ),
      );
      assert.deepEqual(batches, [['record 0', 'record 1'], ['record 2', 'record 3'], ['record 4']]);
      assert.equal(feed.activeStreams, 0, 'a delivered stream keeps nothing behind');
    } finally {
      await feed.close();
      await functions.close();
    }
  });

  it('drops and counts records beyond its queue cap instead of growing', async () => {
    const functions = new FunctionHost({
      functions: { slow: { module: fixtureFunction('never.mjs') } },
      region: 'us-east-1',
      logger: quietLogger,
    });
    const feed = new LogSubscriptionFeed({
      subscriptions: { g: 'slow' },
      functions,
      region: 'us-east-1',
      accountId: '123456789012',
      logger: quietLogger,
      maxQueued: 3,
      flushMs: 60_000,
      invokeTimeoutMs: 50,
      retryDelaysMs: [],
    });
    try {
      for (let i = 0; i < 5; i++) feed.deliver('g', stream, `record ${i}`, 1_767_600_000_000);

      assert.equal(feed.dropped, 2);
    } finally {
      await feed.close(1000);
      await functions.close();
    }
  });

  it('reads EMULATOR_LOG_SUBSCRIPTIONS and refuses a malformed one', () => {
    assert.deepEqual(parseLogSubscriptions('{"/ivs/chat":"chat-history"}'), { '/ivs/chat': 'chat-history' });
    assert.throws(() => parseLogSubscriptions('{"/ivs/chat":1}'), /must name a function/);
    assert.throws(() => parseLogSubscriptions('nope'), /must be JSON/);
  });
});
