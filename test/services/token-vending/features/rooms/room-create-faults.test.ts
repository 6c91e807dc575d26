/**
 * A room is created in IVS and then recorded in the table. When a table write fails in between, the
 * service undoes what it did: no IVS room without a record, no record without an IVS room. The
 * failures are injected into a real document client (middleware), against the real emulator.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { IvschatClient, ListRoomsCommand } from '@aws-sdk/client-ivschat';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import request from 'supertest';
import { createLogger } from '../../../../../shared/logger.js';
import { createTableClient, type Table } from '../../../../../shared/table/client.js';
import { startEmulator, type Emulator } from '../../../../../services/local-ivschat/start.js';
import { appOn } from '../../support/app.js';
import { newRsaKey, signToken, startJwksServer, type JwksServer } from '../../support/jwks-server.js';
import { TABLE_ENDPOINT, freshTable } from '../../support/table.js';

const key = newRsaKey('faults');
let emulator: Emulator;
let jwks: JwksServer;
let ivs: IvschatClient;
let table: Table;
let failWhen: ((command: string, input: Record<string, unknown>) => boolean) | undefined;
const logs: string[] = [];

before(async () => {
  emulator = await startEmulator({ port: 0, logger: createLogger({ level: 'silent' }) });
  jwks = await startJwksServer([key]);
  ivs = new IvschatClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
    maxAttempts: 1,
  });
});
after(async () => {
  ivs.destroy();
  await emulator.close();
  await jwks.close();
});
beforeEach(async () => {
  failWhen = undefined;
  const { name } = await freshTable();
  const client = createTableClient({
    endpoint: TABLE_ENDPOINT,
    region: 'us-east-1',
    dummyCredentials: true,
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (failWhen?.(String(context.commandName), input)) {
        throw Object.assign(new Error('injected'), {
          name: 'InternalServerError',
          $metadata: { httpStatusCode: 500 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectFailure' },
  );
  table = { name, client };
});

const app = () => appOn({ ivs, table, jwksUri: jwks.jwksUri, logs });

async function roomsNamed(name: string): Promise<number> {
  const page = await ivs.send(new ListRoomsCommand({ name, maxResults: 50 }));
  return page.rooms?.length ?? 0;
}

async function tableItems(): Promise<number> {
  const output = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'MEMBER#ann' },
    }),
  );
  return output.Items?.length ?? 0;
}

const jwt = (): string => signToken(key, { sub: 'ann', roles: ['admin'] });

describe('POST /v1/rooms when a table write fails', () => {
  it('deletes the IVS room when the room record cannot be written, and answers 503', async () => {
    // The document client runs the low-level command (PutItemCommand) with the item as written.
    failWhen = (command, input) =>
      command === 'PutItemCommand' && JSON.stringify(input.Item).includes('"sk":"ROOM"');

    const res = await request(app())
      .post('/v1/rooms')
      .set('authorization', `Bearer ${jwt()}`)
      .send({ name: 'fault-room' });

    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '2');
    assert.equal(await roomsNamed('fault-room'), 0);
    failWhen = undefined;
    assert.equal(await tableItems(), 0);
  });

  it("removes the room record and the IVS room when the owner's membership cannot be written", async () => {
    failWhen = (command) => command === 'UpdateItemCommand';

    const res = await request(app())
      .post('/v1/rooms')
      .set('authorization', `Bearer ${jwt()}`)
      .send({ name: 'fault-member' });

    assert.equal(res.status, 503);
    assert.equal(await roomsNamed('fault-member'), 0);
    failWhen = undefined;
    const rooms = await request(app())
      .get('/v1/rooms?name=fault-member')
      .set('authorization', `Bearer ${jwt()}`);
    assert.deepEqual(rooms.body, { rooms: [] });
  });

  it('creates room and owner membership when nothing fails (the same app, the control case)', async () => {
    const res = await request(app())
      .post('/v1/rooms')
      .set('authorization', `Bearer ${jwt()}`)
      .send({ name: 'fault-none' });

    assert.equal(res.status, 201);
    assert.equal(await roomsNamed('fault-none'), 1);
    assert.equal(await tableItems(), 1);
  });
});
