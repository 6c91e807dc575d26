import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  formatRequestTime,
  fromHttpApiResult,
  InvalidResultError,
  isTextContentType,
  toHttpApiEvent,
  type HttpRequestInfo,
} from '../../../scripts/local-http-api/event.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

function loadRequest(name: string): HttpRequestInfo {
  const raw = fixture(name);
  if (typeof raw !== 'object' || raw === null) throw new Error(`${name} is not an object`);
  const field = (key: string): unknown => Reflect.get(raw, key);
  const rawHeaders = field('rawHeaders');
  if (!Array.isArray(rawHeaders)) throw new Error(`${name}: rawHeaders must be a list`);
  return {
    method: String(field('method')),
    url: String(field('url')),
    httpVersion: String(field('httpVersion')),
    rawHeaders: rawHeaders.map(String),
    remoteAddress: String(field('remoteAddress')),
    body: Buffer.from(String(field('body'))),
  };
}

const now = new Date('2026-03-05T09:04:05.000Z');

function request(overrides: Partial<HttpRequestInfo> = {}): HttpRequestInfo {
  return {
    method: 'GET',
    url: '/healthz',
    httpVersion: '1.1',
    rawHeaders: ['Host', 'localhost:3001'],
    remoteAddress: '127.0.0.1',
    body: Buffer.alloc(0),
    ...overrides,
  };
}

describe('toHttpApiEvent', () => {
  it('builds the payload 2.0 event API Gateway sends for the $default route', () => {
    // Prepare
    const input = loadRequest('post-json.request.json');

    // Act
    const event = toHttpApiEvent(input, { now, requestId: 'req-1' });

    // Assess
    assert.deepEqual(event, fixture('post-json.event.json'));
  });

  it('leaves out body, cookies and query parameters a request does not have', () => {
    const event = toHttpApiEvent(request(), { now, requestId: 'req-2' });

    assert.equal('body' in event, false);
    assert.equal('cookies' in event, false);
    assert.equal('queryStringParameters' in event, false);
    assert.equal(event.isBase64Encoded, false);
    assert.equal(event.rawQueryString, '');
  });

  it('base64-encodes a binary body and flags it', () => {
    const bytes = Buffer.from([0, 255, 1, 254, 10]);

    const event = toHttpApiEvent(
      request({
        method: 'PUT',
        rawHeaders: ['Host', 'localhost', 'Content-Type', 'application/octet-stream'],
        body: bytes,
      }),
      { now, requestId: 'req-3' },
    );

    assert.equal(event.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(event.body ?? '', 'base64'), bytes);
  });

  it('base64-encodes a body that declares no content type, so its bytes survive', () => {
    const event = toHttpApiEvent(request({ method: 'POST', body: Buffer.from('{"a":1}') }), {
      now,
      requestId: 'req-4',
    });

    assert.equal(event.isBase64Encoded, true);
    assert.equal(Buffer.from(event.body ?? '', 'base64').toString('utf8'), '{"a":1}');
  });

  it('keeps a percent-encoded path as received', () => {
    const event = toHttpApiEvent(request({ url: '/a%20b/c?x=%2F' }), { now, requestId: 'req-5' });

    assert.equal(event.rawPath, '/a%20b/c');
    assert.equal(event.requestContext.http.path, '/a%20b/c');
    assert.deepEqual(event.queryStringParameters, { x: '/' });
  });
});

describe('isTextContentType', () => {
  it('treats JSON, text, XML and forms as text', () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'application/problem+json',
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
    ]) {
      assert.equal(isTextContentType(type), true, type);
    }
  });

  it('treats images, octet streams and a missing type as binary', () => {
    for (const type of ['image/png', 'application/octet-stream', undefined]) {
      assert.equal(isTextContentType(type), false, String(type));
    }
  });
});

describe('formatRequestTime', () => {
  it('writes the CLF time API Gateway puts in requestContext.time', () => {
    assert.equal(formatRequestTime(new Date('2020-03-12T19:03:58Z')), '12/Mar/2020:19:03:58 +0000');
  });
});

describe('fromHttpApiResult', () => {
  it('sends statusCode, headers and body as given', () => {
    const response = fromHttpApiResult({
      statusCode: 201,
      headers: { 'Content-Type': 'application/problem+json', 'X-Count': 3, 'X-Ok': true },
      body: '{"a":1}',
    });

    assert.equal(response.statusCode, 201);
    assert.deepEqual(response.headers, [
      ['content-type', 'application/problem+json'],
      ['x-count', '3'],
      ['x-ok', 'true'],
    ]);
    assert.equal(response.body.toString(), '{"a":1}');
  });

  it('turns every cookie into its own set-cookie header', () => {
    const response = fromHttpApiResult({ statusCode: 200, cookies: ['a=1; Secure', 'b=2; HttpOnly'] });

    assert.deepEqual(response.headers, [
      ['set-cookie', 'a=1; Secure'],
      ['set-cookie', 'b=2; HttpOnly'],
    ]);
  });

  it('decodes a base64 body', () => {
    const bytes = Buffer.from([137, 80, 78, 71]);

    const response = fromHttpApiResult({
      statusCode: 200,
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });

    assert.deepEqual(response.body, bytes);
  });

  it('sends a result without statusCode as a 200 JSON body', () => {
    const response = fromHttpApiResult({ token: 'x' });

    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.headers, [['content-type', 'application/json']]);
    assert.equal(response.body.toString(), '{"token":"x"}');
  });

  it('ignores multiValueHeaders, which payload format 2.0 does not have', () => {
    const response = fromHttpApiResult({ statusCode: 204, multiValueHeaders: { 'x-a': ['1', '2'] } });

    assert.deepEqual(response.headers, []);
  });

  it('rejects results API Gateway would answer with a 500', () => {
    for (const bad of [
      undefined,
      null,
      { statusCode: '200' },
      { statusCode: 42 },
      { statusCode: 200, body: { a: 1 } },
      { statusCode: 200, headers: ['x'] },
      { statusCode: 200, headers: { 'x-a': ['1'] } },
      { statusCode: 200, cookies: 'a=1' },
      { statusCode: 200, isBase64Encoded: 'yes' },
    ]) {
      assert.throws(() => fromHttpApiResult(bad), InvalidResultError, JSON.stringify(bad));
    }
  });
});
