/**
 * Issue 19, finding 8: the local stack refuses what a web page could do while `npm start` runs.
 * dynalite must not answer browser origins (a page could otherwise read private history and write
 * bans: dynalite checks that a request is signed, not by whom), and the local token service must
 * refuse Host values that are not loopback (DNS rebinding would otherwise reach the dev login, which
 * mints any identity, admin included).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keys } from '../../shared/table/keys.js';
import { rawRequest, startSecurityStack, type SecurityStack } from './support/stack.js';

const EVIL_ORIGIN = 'http://evil.example';

let stack: SecurityStack;

before(async () => {
  stack = await startSecurityStack();
});
after(async () => {
  await stack.close();
});

/** What a page on another origin sends: a Query of a room's partition, signed with a made-up key. */
function browserQuery(tableName: string): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify({
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': { S: keys.roomPartition('AbCdEfGh1234') } },
  });
  return {
    body,
    headers: {
      origin: EVIL_ORIGIN,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.Query',
      'x-amz-date': '20260105T150000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=fake/20260105/us-east-1/dynamodb/aws4_request, ' +
        'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=' +
        '0'.repeat(64),
    },
  };
}

describe('the local table (dynalite)', () => {
  it('answers a preflight from a web origin without Access-Control-Allow-Origin, with a 4xx', async () => {
    const res = await rawRequest(stack.tableEndpoint, {
      method: 'OPTIONS',
      path: '/',
      headers: {
        origin: EVIL_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-target',
      },
    });

    const seen = `status ${res.status}, Access-Control-Allow-Origin: ${String(res.headers['access-control-allow-origin'])}`;
    assert.equal(res.headers['access-control-allow-origin'], undefined, seen);
    assert.ok(res.status >= 400 && res.status < 500, seen);
  });

  it('refuses a request from a web origin with a fake signature (4xx, no Access-Control-Allow-Origin)', async () => {
    const query = browserQuery(stack.table.name);

    const res = await rawRequest(stack.tableEndpoint, { method: 'POST', path: '/', ...query });

    const seen =
      `status ${res.status}, Access-Control-Allow-Origin: ` +
      `${String(res.headers['access-control-allow-origin'])}, body ${res.body.slice(0, 120)}`;
    assert.equal(res.headers['access-control-allow-origin'], undefined, seen);
    assert.ok(res.status >= 400 && res.status < 500, seen);
  });
});

describe('the local token service (local mode, dev login on)', () => {
  const login = JSON.stringify({ userId: 'mallory', roles: ['admin'] });
  const post = (host: string) =>
    rawRequest(stack.url, {
      method: 'POST',
      path: '/v1/dev/login',
      headers: { host, 'content-type': 'application/json' },
      body: login,
    });

  it('refuses POST /v1/dev/login with a Host that is not loopback (4xx: DNS rebinding)', async () => {
    const port = new URL(stack.url).port;

    const rebound = await post(`evil.example:${port}`);
    const loopback = await post(`127.0.0.1:${port}`);
    const localhost = await post(`localhost:${port}`);

    assert.ok(
      rebound.status >= 400 && rebound.status < 500,
      `Host evil.example: ${rebound.status} ${rebound.body.includes('idToken') ? '(an idToken was issued)' : ''}`,
    );
    assert.ok(!rebound.body.includes('idToken'), 'no token for a rebound name');
    assert.equal(loopback.status, 200, 'a loopback Host still logs in');
    assert.equal(localhost.status, 200, 'localhost still logs in');
  });
});
