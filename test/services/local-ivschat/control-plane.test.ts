import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AccessDeniedException,
  ConflictException,
  CreateChatTokenCommand,
  CreateLoggingConfigurationCommand,
  CreateRoomCommand,
  DeleteLoggingConfigurationCommand,
  DeleteMessageCommand,
  DeleteRoomCommand,
  DisconnectUserCommand,
  GetLoggingConfigurationCommand,
  GetRoomCommand,
  IvschatClient,
  ListLoggingConfigurationsCommand,
  ListRoomsCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  SendEventCommand,
  ServiceQuotaExceededException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateLoggingConfigurationCommand,
  UpdateRoomCommand,
  ValidationException,
  type ValidationExceptionField,
} from '@aws-sdk/client-ivschat';
import { ManualClock } from '../../../services/local-ivschat/start.js';
import { createRoom, lambdaArn, startHarness, type Harness } from './helpers.js';

/** What every AWS SDK sends with a restJson1 body. */
const JSON_TYPE = { 'content-type': 'application/json' };

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function rejection<T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  assert.fail(`expected ${type.name}`);
}

function fieldNames(fields: ValidationExceptionField[] | undefined): string[] {
  return (fields ?? []).map((field) => field.name ?? '').sort();
}

describe('control plane rooms (@aws-sdk/client-ivschat against the emulator)', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness.close();
  });

  it('creates a room with the model defaults and ISO timestamps', async () => {
    const room = await harness.client.send(new CreateRoomCommand({ tags: { team: 'chat' } }));
    assert.match(room.arn ?? '', /^arn:aws:ivschat:us-east-1:123456789012:room\/[a-zA-Z0-9]{12}$/);
    assert.equal(room.arn?.endsWith(`/${room.id ?? ''}`), true);
    assert.equal(room.name, '');
    assert.equal(room.maximumMessageRatePerSecond, 10);
    assert.equal(room.maximumMessageLength, 500);
    assert.deepEqual(room.tags, { team: 'chat' });
    assert.deepEqual(room.loggingConfigurationIdentifiers, []);
    assert.ok(room.createTime instanceof Date);
    assert.equal(room.createTime.toISOString(), room.updateTime?.toISOString());
  });

  it('refuses every invalid CreateRoom member with one ValidationException naming each field', async () => {
    const error = await rejection(
      harness.client.send(
        new CreateRoomCommand({
          name: 'has spaces',
          maximumMessageRatePerSecond: 101,
          maximumMessageLength: 0,
          messageReviewHandler: { uri: 'https://example.com/review', fallbackResult: 'MAYBE' as 'ALLOW' },
        }),
      ),
      ValidationException,
    );
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.equal(error.reason, 'FIELD_VALIDATION_FAILED');
    assert.deepEqual(fieldNames(error.fieldList), [
      'maximumMessageLength',
      'maximumMessageRatePerSecond',
      'messageReviewHandler.fallbackResult',
      'messageReviewHandler.uri',
      'name',
    ]);
  });

  it('refuses a review handler in another account with AccessDeniedException', async () => {
    const error = await rejection(
      harness.client.send(
        new CreateRoomCommand({
          messageReviewHandler: { uri: 'arn:aws:lambda:us-east-1:999999999999:function:message-review' },
        }),
      ),
      AccessDeniedException,
    );
    assert.equal(error.$metadata.httpStatusCode, 403);
    assert.match(error.message, /123456789012/);
  });

  it('answers GetRoom for an unknown room with ResourceNotFoundException naming it', async () => {
    const missing = 'arn:aws:ivschat:us-east-1:123456789012:room/AAAAAAAAAAAA';
    const error = await rejection(
      harness.client.send(new GetRoomCommand({ identifier: missing })),
      ResourceNotFoundException,
    );
    assert.equal(error.$metadata.httpStatusCode, 404);
    assert.equal(error.resourceId, 'AAAAAAAAAAAA');
    assert.equal(error.resourceType, 'ROOM');
  });

  it('refuses an identifier that is not a room ARN', async () => {
    const error = await rejection(
      harness.client.send(new GetRoomCommand({ identifier: 'AAAAAAAAAAAA' })),
      ValidationException,
    );
    assert.deepEqual(fieldNames(error.fieldList), ['identifier']);
  });

  it('gets a room as it was created', async () => {
    const created = await harness.client.send(
      new CreateRoomCommand({
        name: 'lobby',
        maximumMessageLength: 200,
        messageReviewHandler: { uri: lambdaArn(harness, 'x') },
      }),
    );
    const room = await harness.client.send(new GetRoomCommand({ identifier: created.arn }));
    assert.equal(room.name, 'lobby');
    assert.equal(room.maximumMessageLength, 200);
    assert.deepEqual(room.messageReviewHandler, { uri: lambdaArn(harness, 'x'), fallbackResult: 'ALLOW' });
  });

  it('updates a room and detaches its handler with an empty uri', async () => {
    const created = await harness.client.send(
      new CreateRoomCommand({
        messageReviewHandler: { uri: lambdaArn(harness, 'x'), fallbackResult: 'DENY' },
      }),
    );
    const updated = await harness.client.send(
      new UpdateRoomCommand({
        identifier: created.arn,
        name: 'renamed',
        maximumMessageRatePerSecond: 100,
        messageReviewHandler: { uri: '' },
      }),
    );
    assert.equal(updated.name, 'renamed');
    assert.equal(updated.maximumMessageRatePerSecond, 100);
    assert.equal(updated.messageReviewHandler, undefined);
    assert.ok((updated.updateTime?.getTime() ?? 0) >= (created.updateTime?.getTime() ?? Infinity));
  });

  it('deletes a room with 204 and then no longer finds it', async () => {
    const arn = await createRoom(harness);
    const result = await harness.client.send(new DeleteRoomCommand({ identifier: arn }));
    assert.equal(result.$metadata.httpStatusCode, 204);
    await rejection(harness.client.send(new GetRoomCommand({ identifier: arn })), ResourceNotFoundException);
  });

  it('keeps a base path in the endpoint', async () => {
    const client = new IvschatClient({
      endpoint: `${harness.emulator.url}/some/base`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const room = await client.send(new CreateRoomCommand({}));
      assert.match(room.id ?? '', /^[a-zA-Z0-9]{12}$/);
    } finally {
      client.destroy();
    }
  });

  it('answers an unknown operation with a typed error header and a body without `code`', async () => {
    const response = await fetch(`${harness.emulator.url}/LaunchRocket`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: '{}',
    });
    const body: unknown = await response.json();
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.deepEqual(body, {
      message: 'Unknown operation POST /LaunchRocket',
      reason: 'UNKNOWN_OPERATION',
      fieldList: [],
    });
  });

  it('sends timestamps as ISO-8601 strings on the wire', async () => {
    const response = await fetch(`${harness.emulator.url}/CreateRoom`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: '{}',
    });
    const body: unknown = await response.json();
    assert.equal(response.status, 200);
    assert.ok(typeof body === 'object' && body !== null);
    assert.match(String(Reflect.get(body, 'createTime')), ISO);
    assert.match(String(Reflect.get(body, 'updateTime')), ISO);
  });

  it('answers a body that is not JSON with a ValidationException', async () => {
    const response = await fetch(`${harness.emulator.url}/CreateRoom`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: '{nope',
    });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('x-amzn-errortype'), 'ValidationException');
  });
});

describe('control plane ListRooms', () => {
  let harness: Harness;
  const clock = new ManualClock(new Date('2026-01-01T00:00:00.000Z'));
  const arns: string[] = [];
  before(async () => {
    harness = await startHarness({ clock });
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      clock.advance(1000);
      arns.push(
        await createRoom(harness, {
          name,
          ...(name === 'c' ? { messageReviewHandler: { uri: lambdaArn(harness, 'f') } } : {}),
        }),
      );
    }
  });
  after(async () => {
    await harness.close();
  });

  it('sorts by updateTime, newest first, and pages with a stable nextToken', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await harness.client.send(
        new ListRoomsCommand({ maxResults: 2, ...(nextToken ? { nextToken } : {}) }),
      );
      seen.push(...(page.rooms ?? []).map((room) => room.name ?? ''));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken !== undefined && pages < 10);
    assert.deepEqual(seen, ['e', 'd', 'c', 'b', 'a']);
    assert.equal(pages, 3);
  });

  it('moves a room to the front when it is updated', async () => {
    clock.advance(1000);
    await harness.client.send(new UpdateRoomCommand({ identifier: arns[0], maximumMessageLength: 100 }));
    const page = await harness.client.send(new ListRoomsCommand({ maxResults: 1 }));
    assert.equal(page.rooms?.[0]?.name, 'a');
  });

  it('filters by name and by review handler', async () => {
    const byName = await harness.client.send(new ListRoomsCommand({ name: 'b' }));
    const byHandler = await harness.client.send(
      new ListRoomsCommand({ messageReviewHandlerUri: lambdaArn(harness, 'f') }),
    );
    assert.deepEqual(
      byName.rooms?.map((room) => room.name),
      ['b'],
    );
    assert.deepEqual(
      byHandler.rooms?.map((room) => room.name),
      ['c'],
    );
  });

  it('refuses maxResults outside 1–50 and a nextToken it did not issue', async () => {
    const error = await rejection(
      harness.client.send(new ListRoomsCommand({ maxResults: 51, nextToken: 'forged' })),
      ValidationException,
    );
    assert.deepEqual(fieldNames(error.fieldList), ['maxResults', 'nextToken']);
  });
});

describe('control plane chat tokens and room events', () => {
  let harness: Harness;
  const clock = new ManualClock();
  before(async () => {
    harness = await startHarness({ clock });
  });
  after(async () => {
    await harness.close();
  });

  it('creates a chat token valid to connect for an hour, two hours before a 180-minute session ends', async () => {
    const roomArn = await createRoom(harness);
    const token = await harness.client.send(
      new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'ann', sessionDurationInMinutes: 180 }),
    );
    const now = clock.now().getTime();
    assert.match(token.token ?? '', /^[A-Za-z0-9_-]{32,}$/);
    assert.equal(token.tokenExpirationTime?.getTime(), now + 60 * 60_000);
    assert.equal(token.sessionExpirationTime?.getTime(), now + 180 * 60_000);
  });

  it('never reports a token valid past the end of its session', async () => {
    const roomArn = await createRoom(harness);
    const token = await harness.client.send(
      new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'ann', sessionDurationInMinutes: 30 }),
    );
    const now = clock.now().getTime();
    assert.equal(token.tokenExpirationTime?.getTime(), now + 30 * 60_000);
    assert.equal(token.sessionExpirationTime?.getTime(), now + 30 * 60_000);
  });

  it('refuses every invalid CreateChatToken member', async () => {
    const roomArn = await createRoom(harness);
    const error = await rejection(
      harness.client.send(
        new CreateChatTokenCommand({
          roomIdentifier: roomArn,
          userId: '',
          capabilities: ['SEND_MESSAGE', 'FLY' as 'SEND_MESSAGE'],
          sessionDurationInMinutes: 181,
          attributes: { big: 'x'.repeat(1100) },
        }),
      ),
      ValidationException,
    );
    assert.deepEqual(fieldNames(error.fieldList), [
      'attributes',
      'capabilities[1]',
      'sessionDurationInMinutes',
      'userId',
    ]);
  });

  it('refuses a chat token for an unknown room', async () => {
    const error = await rejection(
      harness.client.send(
        new CreateChatTokenCommand({
          roomIdentifier: 'arn:aws:ivschat:us-east-1:123456789012:room/BBBBBBBBBBBB',
          userId: 'ann',
        }),
      ),
      ResourceNotFoundException,
    );
    assert.equal(error.resourceId, 'BBBBBBBBBBBB');
  });

  it('answers SendEvent with the event id and DeleteMessage with a fresh one', async () => {
    const roomArn = await createRoom(harness);
    const event = await harness.client.send(
      new SendEventCommand({ roomIdentifier: roomArn, eventName: 'app:ping' }),
    );
    const deletion = await harness.client.send(
      new DeleteMessageCommand({ roomIdentifier: roomArn, id: 'abcdefABCDEF' }),
    );
    const disconnect = await harness.client.send(
      new DisconnectUserCommand({ roomIdentifier: roomArn, userId: 'nobody' }),
    );
    assert.match(event.id ?? '', /^[a-zA-Z0-9]{12}$/);
    assert.match(deletion.id ?? '', /^[a-zA-Z0-9]{12}$/);
    assert.notEqual(deletion.id, 'abcdefABCDEF');
    assert.equal(disconnect.$metadata.httpStatusCode, 200);
  });

  it('refuses invalid SendEvent, DeleteMessage and DisconnectUser members', async () => {
    const roomArn = await createRoom(harness);
    const send = await rejection(
      harness.client.send(new SendEventCommand({ roomIdentifier: roomArn, eventName: 'x'.repeat(101) })),
      ValidationException,
    );
    const remove = await rejection(
      harness.client.send(
        new DeleteMessageCommand({ roomIdentifier: roomArn, id: 'not-an-id!', reason: 'r'.repeat(257) }),
      ),
      ValidationException,
    );
    const disconnect = await rejection(
      harness.client.send(new DisconnectUserCommand({ roomIdentifier: roomArn, userId: 'u'.repeat(129) })),
      ValidationException,
    );
    assert.deepEqual(fieldNames(send.fieldList), ['eventName']);
    assert.deepEqual(fieldNames(remove.fieldList), ['id', 'reason']);
    assert.deepEqual(fieldNames(disconnect.fieldList), ['userId']);
  });
});

describe('control plane tags', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness.close();
  });

  it('tags, lists and untags a room through its percent-encoded ARN', async () => {
    const arn = await createRoom(harness, { tags: { a: '1' } });
    await harness.client.send(new TagResourceCommand({ resourceArn: arn, tags: { b: '2', 'c/d': 'x y' } }));
    await harness.client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a', 'c/d'] }));
    const listed = await harness.client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    assert.deepEqual(listed.tags, { b: '2' });
  });

  it('refuses more than 50 tags on a resource', async () => {
    const arn = await createRoom(harness, {
      tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])),
    });
    const error = await rejection(
      harness.client.send(new TagResourceCommand({ resourceArn: arn, tags: { one: 'more' } })),
      ValidationException,
    );
    assert.deepEqual(fieldNames(error.fieldList), ['tags']);
  });

  it('answers tags of an unknown room with ResourceNotFoundException', async () => {
    const arn = 'arn:aws:ivschat:us-east-1:123456789012:room/CCCCCCCCCCCC';
    const error = await rejection(
      harness.client.send(new ListTagsForResourceCommand({ resourceArn: arn })),
      ResourceNotFoundException,
    );
    assert.equal(error.resourceId, 'CCCCCCCCCCCC');
  });
});

describe('control plane logging configurations', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness.close();
  });

  it('creates, gets, updates and deletes a logging configuration', async () => {
    const created = await harness.client.send(
      new CreateLoggingConfigurationCommand({
        name: 'audit',
        destinationConfiguration: { s3: { bucketName: 'chat-logs' } },
      }),
    );
    assert.equal(created.state, 'ACTIVE');
    assert.match(
      created.arn ?? '',
      /^arn:aws:ivschat:us-east-1:123456789012:logging-configuration\/[a-zA-Z0-9]{12}$/,
    );
    const updated = await harness.client.send(
      new UpdateLoggingConfigurationCommand({
        identifier: created.arn,
        destinationConfiguration: { cloudWatchLogs: { logGroupName: '/ivs/chat' } },
      }),
    );
    assert.deepEqual(updated.destinationConfiguration, { cloudWatchLogs: { logGroupName: '/ivs/chat' } });
    const got = await harness.client.send(new GetLoggingConfigurationCommand({ identifier: created.arn }));
    assert.equal(got.name, 'audit');
    const deleted = await harness.client.send(
      new DeleteLoggingConfigurationCommand({ identifier: created.arn }),
    );
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    await rejection(
      harness.client.send(new GetLoggingConfigurationCommand({ identifier: created.arn })),
      ResourceNotFoundException,
    );
  });

  it('refuses a destination that names two kinds', async () => {
    // The SDK's union type cannot express two members, so this request is sent as raw restJson1.
    const response = await fetch(`${harness.emulator.url}/CreateLoggingConfiguration`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        destinationConfiguration: { s3: { bucketName: 'chat-logs' }, firehose: { deliveryStreamName: 's' } },
      }),
    });
    const body: unknown = await response.json();
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.deepEqual(body, {
      message: 'destinationConfiguration: must set exactly one of s3, cloudWatchLogs, firehose',
      reason: 'FIELD_VALIDATION_FAILED',
      fieldList: [
        { name: 'destinationConfiguration', message: 'must set exactly one of s3, cloudWatchLogs, firehose' },
      ],
    });
  });

  it('refuses to delete a configuration a room uses with ConflictException', async () => {
    const config = await harness.client.send(
      new CreateLoggingConfigurationCommand({
        destinationConfiguration: { firehose: { deliveryStreamName: 'chat' } },
      }),
    );
    const roomArn = await createRoom(harness, { loggingConfigurationIdentifiers: [config.arn ?? ''] });
    const error = await rejection(
      harness.client.send(new DeleteLoggingConfigurationCommand({ identifier: config.arn })),
      ConflictException,
    );
    assert.equal(error.$metadata.httpStatusCode, 409);
    assert.equal(error.resourceId, config.id);
    const filtered = await harness.client.send(
      new ListRoomsCommand({ loggingConfigurationIdentifier: config.arn }),
    );
    assert.deepEqual(
      filtered.rooms?.map((room) => room.arn),
      [roomArn],
    );
    await harness.client.send(
      new UpdateRoomCommand({ identifier: roomArn, loggingConfigurationIdentifiers: [] }),
    );
    await harness.client.send(new DeleteLoggingConfigurationCommand({ identifier: config.arn }));
  });

  it('refuses a room with more than 3 logging configurations, or an unknown one', async () => {
    const unknown = 'arn:aws:ivschat:us-east-1:123456789012:logging-configuration/DDDDDDDDDDDD';
    const tooMany = await rejection(
      harness.client.send(
        new CreateRoomCommand({ loggingConfigurationIdentifiers: [unknown, unknown, unknown, unknown] }),
      ),
      ValidationException,
    );
    const missing = await rejection(
      harness.client.send(new CreateRoomCommand({ loggingConfigurationIdentifiers: [unknown] })),
      ResourceNotFoundException,
    );
    assert.deepEqual(fieldNames(tooMany.fieldList), ['loggingConfigurationIdentifiers']);
    assert.equal(missing.resourceId, 'DDDDDDDDDDDD');
  });

  it('pages logging configurations and refuses the 11th with ServiceQuotaExceededException', async () => {
    const existing =
      (await harness.client.send(new ListLoggingConfigurationsCommand({}))).loggingConfigurations?.length ??
      0;
    for (let i = existing; i < 10; i++) {
      await harness.client.send(
        new CreateLoggingConfigurationCommand({
          destinationConfiguration: { s3: { bucketName: `bucket-${i}` } },
        }),
      );
    }
    const error = await rejection(
      harness.client.send(
        new CreateLoggingConfigurationCommand({
          destinationConfiguration: { s3: { bucketName: 'one-more' } },
        }),
      ),
      ServiceQuotaExceededException,
    );
    assert.equal(error.$metadata.httpStatusCode, 402);
    assert.equal(error.limit, 10);
    const first = await harness.client.send(new ListLoggingConfigurationsCommand({ maxResults: 6 }));
    const second = await harness.client.send(
      new ListLoggingConfigurationsCommand({ maxResults: 6, nextToken: first.nextToken }),
    );
    assert.equal(first.loggingConfigurations?.length, 6);
    assert.equal(second.loggingConfigurations?.length, 4);
    assert.equal(second.nextToken, undefined);
  });
});
