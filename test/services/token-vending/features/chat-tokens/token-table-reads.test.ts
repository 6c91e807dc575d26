/**
 * The token path's cost in table round trips: the room and the caller's standing in it (membership,
 * bans, timeout) are read in one BatchGetItem, whether the room is public, private, or unknown to the
 * table; the only other call is the session record, written while IVS makes the token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import request from 'supertest';
import { createLogger } from '../../../../../shared/logger.js';
import { createTableClient, type Table } from '../../../../../shared/table/client.js';
import { startEmulator, type Emulator } from '../../../../../services/local-ivschat/start.js';
import { appOn } from '../../support/app.js';
import { newRsaKey, signToken, startJwksServer, type JwksServer } from '../../support/jwks-server.js';
import { TABLE_ENDPOINT, freshTable } from '../../support/table.js';

const key = newRsaKey('reads');
let emulator: Emulator;
let jwks: JwksServer;
let ivs: IvschatClient;
let table: Table;
const calls: string[] = [];

before(async () => {
  emulator = await startEmulator({ port: 0, logger: createLogger({ level: 'silent' }) });
  jwks = await startJwksServer([key]);
  ivs = new IvschatClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
  const client = createTableClient({ endpoint: TABLE_ENDPOINT, region: 'us-east-1', dummyCredentials: true });
  client.middlewareStack.add(
    (next, context) => (args) => {
      calls.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  table = { name: (await freshTable()).name, client };
});
after(async () => {
  ivs.destroy();
  table.client.destroy();
  await emulator.close();
  await jwks.close();
});

const app = () => appOn({ ivs, table, jwksUri: jwks.jwksUri });

async function tableCallsFor(
  jwt: string,
  roomArn: string,
  options: { on?: ReturnType<typeof app>; ticket?: string } = {},
): Promise<{ status: number; calls: string[]; ticket: string | undefined }> {
  calls.length = 0;
  const call = request(options.on ?? app())
    .post('/v1/chat-tokens')
    .set('authorization', `Bearer ${jwt}`);
  if (options.ticket !== undefined) call.set('admission-ticket', options.ticket);
  const res = await call.send({ roomIdentifier: roomArn });
  const ticket = res.headers['admission-ticket'];
  return { status: res.status, calls: [...calls], ticket: typeof ticket === 'string' ? ticket : undefined };
}

describe('POST /v1/chat-tokens table cost', () => {
  it('reads the room and the membership in one round trip for a private room member', async () => {
    const owner = signToken(key, { sub: 'ann', roles: ['admin'] });
    const created = await request(app())
      .post('/v1/rooms')
      .set('authorization', `Bearer ${owner}`)
      .send({ name: 'counted', privacy: 'private' });
    assert.equal(created.status, 201);

    const member = await tableCallsFor(owner, String((created.body as { arn: unknown }).arn));

    assert.equal(member.status, 200);
    // One read decides; the session end is written beside the IVS call, not before it (one
    // conditional UpdateItem: the recorded end only grows). Admins are known from their JWT alone.
    assert.deepEqual(member.calls, ['BatchGetItemCommand', 'UpdateItemCommand']);
  });

  it('records a room the table does not know (made outside the API) once, then reads once', async () => {
    const made = await ivs.send(new CreateRoomCommand({ name: 'outside' }));

    const first = await tableCallsFor(signToken(key, { sub: 'bob' }), String(made.arn));
    const second = await tableCallsFor(signToken(key, { sub: 'bob' }), String(made.arn));

    assert.equal(first.status, 200);
    // First sight: the read, the room recorded from IVS's GetRoom, the session.
    assert.deepEqual(first.calls, ['BatchGetItemCommand', 'PutItemCommand', 'UpdateItemCommand']);
    assert.equal(second.status, 200);
    assert.deepEqual(second.calls, ['BatchGetItemCommand', 'UpdateItemCommand']);
  });

  it('with admission on: a write for the place and one for the pace; a retry on its ticket, the pace only', async () => {
    // One call a second: the second caller's place is a second ahead. The clock moves only when
    // told, so a slow request on a loaded machine does not move anyone's place.
    let now = Date.now();
    const admitting = appOn({
      ivs,
      table,
      jwksUri: jwks.jwksUri,
      config: { admission: { tps: 1 } },
      clock: () => now,
    });
    const made = await ivs.send(new CreateRoomCommand({ name: 'admitted' }));
    const arn = String(made.arn);
    await tableCallsFor(signToken(key, { sub: 'cal' }), arn, { on: admitting }); // records the room
    now += 1000; // cal's place is past

    const admitted = await tableCallsFor(signToken(key, { sub: 'dee' }), arn, { on: admitting });
    const queued = await tableCallsFor(signToken(key, { sub: 'eli' }), arn, { on: admitting });
    now += 1000; // eli's time
    const retried = await tableCallsFor(signToken(key, { sub: 'eli' }), arn, {
      on: admitting,
      ...(queued.ticket === undefined ? {} : { ticket: queued.ticket }),
    });

    // The place (UpdateItem on a queue shard), the call's pace (on a pace shard), then the session
    // beside the IVS call.
    assert.equal(admitted.status, 200);
    assert.deepEqual(admitted.calls, [
      'BatchGetItemCommand',
      'UpdateItemCommand',
      'UpdateItemCommand',
      'UpdateItemCommand',
    ]);
    // Told to come back: the place, and (once per instance) the ticket key read, made at first need.
    assert.equal(queued.status, 503);
    assert.deepEqual(queued.calls, [
      'BatchGetItemCommand',
      'UpdateItemCommand',
      'GetItemCommand',
      'PutItemCommand',
    ]);
    // Served on the ticket: no second place, only the call's pace.
    assert.equal(retried.status, 200);
    assert.deepEqual(retried.calls, ['BatchGetItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
  });
});
