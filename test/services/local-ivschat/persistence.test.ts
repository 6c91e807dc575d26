import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  CreateLoggingConfigurationCommand,
  GetLoggingConfigurationCommand,
  GetRoomCommand,
  ListTagsForResourceCommand,
  SendEventCommand,
} from '@aws-sdk/client-ivschat';
import { SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { createRoom, join as joinRoom, startHarness } from './helpers.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-ivschat-'));
  dirs.push(dir);
  return dir;
}

function jsonLines(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line): unknown => JSON.parse(line));
}

describe('persistence and logging configurations with a data directory', () => {
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps rooms, tags and logging configurations across a restart', async () => {
    const dir = dataDir();
    const first = await startHarness({ dataDir: dir });
    let roomArn: string;
    let configArn: string;
    try {
      const config = await first.client.send(
        new CreateLoggingConfigurationCommand({
          name: 'audit',
          destinationConfiguration: { s3: { bucketName: 'chat-logs' } },
        }),
      );
      configArn = config.arn ?? '';
      roomArn = await createRoom(first, {
        name: 'kept',
        tags: { env: 'dev' },
        loggingConfigurationIdentifiers: [configArn],
      });
    } finally {
      await first.close();
    }
    const second = await startHarness({ dataDir: dir });
    try {
      const room = await second.client.send(new GetRoomCommand({ identifier: roomArn }));
      const tags = await second.client.send(new ListTagsForResourceCommand({ resourceArn: roomArn }));
      const config = await second.client.send(new GetLoggingConfigurationCommand({ identifier: configArn }));
      assert.equal(room.name, 'kept');
      assert.deepEqual(room.loggingConfigurationIdentifiers, [configArn]);
      assert.deepEqual(tags.tags, { env: 'dev' });
      assert.equal(config.name, 'audit');
    } finally {
      await second.close();
    }
  });

  it('appends every message and event of a logged room as JSON lines, one file per destination', async () => {
    const dir = dataDir();
    const harness = await startHarness({ dataDir: dir });
    try {
      const s3 = await harness.client.send(
        new CreateLoggingConfigurationCommand({
          destinationConfiguration: { s3: { bucketName: 'chat-logs' } },
        }),
      );
      const logs = await harness.client.send(
        new CreateLoggingConfigurationCommand({
          destinationConfiguration: { cloudWatchLogs: { logGroupName: '/ivs/chat' } },
        }),
      );
      const roomArn = await createRoom(harness, {
        loggingConfigurationIdentifiers: [s3.arn ?? '', logs.arn ?? ''],
      });
      const ann = await joinRoom(harness, roomArn, { userId: 'ann' });
      try {
        await ann.sendMessage(new SendMessageRequest('logged'));
      } finally {
        ann.disconnect();
      }
      await harness.client.send(new SendEventCommand({ roomIdentifier: roomArn, eventName: 'app:note' }));
    } finally {
      await harness.close();
    }
    for (const file of ['s3-chat-logs.jsonl', 'cloudwatch-_ivs_chat.jsonl']) {
      const records = jsonLines(join(dir, 'logs', file));
      assert.equal(records.length, 2, file);
      const [message, event] = records;
      assert.ok(
        typeof message === 'object' && message !== null && typeof event === 'object' && event !== null,
      );
      assert.equal(Reflect.get(message, 'type'), 'MESSAGE');
      assert.equal(Reflect.get(Reflect.get(message, 'payload') as object, 'Content'), 'logged');
      assert.equal(Reflect.get(event, 'type'), 'EVENT');
      assert.equal(Reflect.get(Reflect.get(event, 'payload') as object, 'EventName'), 'app:note');
    }
  });
});
