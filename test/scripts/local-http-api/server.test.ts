import { strict as assert } from 'node:assert';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import {
  createHttpApiServer,
  HandlerLoadError,
  loadHandler,
  type LambdaHandler,
} from '../../../scripts/local-http-api/server.js';

const settings = { functionName: 'TestFunction', timeoutSeconds: 5, memorySize: 128, region: 'us-east-1' };
const bundle = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/bundles/${name}`, import.meta.url));

const servers: Server[] = [];
after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

async function serve(
  handler: LambdaHandler,
  options: { maxBodyBytes?: number; timeoutSeconds?: number } = {},
) {
  const lines: string[] = [];
  const server = createHttpApiServer({
    handler,
    settings: { ...settings, timeoutSeconds: options.timeoutSeconds ?? settings.timeoutSeconds },
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    log: (line) => lines.push(line),
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, lines };
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** A raw node request, so repeated headers and set-cookie arrive exactly as sent. */
function send(
  url: string,
  method: string,
  headers: Record<string, string | string[]>,
  body?: Buffer,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('createHttpApiServer', () => {
  it('hands the handler a payload 2.0 event and a Lambda context', async () => {
    // Prepare
    let seen: { event: unknown; remaining: number; requestId: string } | undefined;
    const { url } = await serve((event, context) => {
      seen = { event, remaining: context.getRemainingTimeInMillis(), requestId: context.awsRequestId };
      return { statusCode: 204 };
    });

    // Act
    const reply = await send(
      `${url}/v1/chat-tokens?a=1`,
      'POST',
      { 'content-type': 'application/json', cookie: 'k=v' },
      Buffer.from('{"x":1}'),
    );

    // Assess
    assert.equal(reply.status, 204);
    assert.ok(seen);
    assert.match(JSON.stringify(seen.event), /"version":"2.0"/);
    assert.deepEqual(Reflect.get(Object(seen.event), 'cookies'), ['k=v']);
    assert.equal(Reflect.get(Object(seen.event), 'body'), '{"x":1}');
    assert.ok(seen.remaining > 0 && seen.remaining <= 5000);
    assert.equal(reply.headers['apigw-requestid'], seen.requestId);
  });

  it('writes status, headers, every cookie and a base64 body back', async () => {
    const png = Buffer.from([137, 80, 78, 71, 13, 10]);
    const { url } = await serve(() => ({
      statusCode: 201,
      headers: { 'content-type': 'image/png', 'x-note': 'made' },
      cookies: ['a=1; Secure', 'b=2; HttpOnly'],
      body: png.toString('base64'),
      isBase64Encoded: true,
    }));

    const reply = await send(url, 'GET', {});

    assert.equal(reply.status, 201);
    assert.equal(reply.headers['content-type'], 'image/png');
    assert.equal(reply.headers['x-note'], 'made');
    assert.deepEqual(reply.headers['set-cookie'], ['a=1; Secure', 'b=2; HttpOnly']);
    assert.deepEqual(reply.body, png);
  });

  it('answers 500 with the API Gateway body when the handler throws', async () => {
    const { url, lines } = await serve(() => {
      throw new Error('boom');
    });

    const reply = await send(url, 'GET', {});

    assert.equal(reply.status, 500);
    assert.deepEqual(JSON.parse(reply.body.toString()), { message: 'Internal Server Error' });
    assert.ok(lines.some((line) => line.includes('boom')));
  });

  it('answers 500 when the handler returns a malformed result', async () => {
    const { url } = await serve(() => Promise.resolve({ statusCode: 'fine' }));

    const reply = await send(url, 'GET', {});

    assert.equal(reply.status, 500);
  });

  it('answers 500 when the handler runs past the function timeout', async () => {
    const { url, lines } = await serve(() => new Promise(() => undefined), { timeoutSeconds: 0.2 });

    const reply = await send(url, 'GET', {});

    assert.equal(reply.status, 500);
    assert.ok(lines.some((line) => line.includes('HandlerTimeoutError')));
  });

  it('refuses a body over the limit with 413 without invoking the handler', async () => {
    let invoked = false;
    const { url } = await serve(
      () => {
        invoked = true;
        return { statusCode: 200 };
      },
      { maxBodyBytes: 16 },
    );

    const reply = await send(url, 'POST', { 'content-type': 'text/plain' }, Buffer.alloc(64, 'a'));

    assert.equal(reply.status, 413);
    assert.equal(invoked, false);
  });

  it('never logs bodies, headers or query strings', async () => {
    const { url, lines } = await serve(() => ({ statusCode: 200, body: 'secret-answer' }));

    await send(
      `${url}/p?token=secret-query`,
      'POST',
      { authorization: 'Bearer secret-jwt' },
      Buffer.from('secret-body'),
    );

    assert.ok(lines.length > 0);
    assert.ok(
      lines.every((line) => !line.includes('secret')),
      lines.join('\n'),
    );
  });
});

describe('loadHandler', () => {
  it('loads a CommonJS bundle and calls its handler with its load-time environment', async () => {
    process.env.FIXTURE_GREETING = 'hi from load time';
    const handler = loadHandler(bundle('two-params.js'));
    const { url } = await serve(handler);

    const reply = await send(`${url}/where`, 'GET', {});

    assert.equal(reply.status, 200);
    const body: unknown = JSON.parse(reply.body.toString());
    assert.equal(Reflect.get(Object(body), 'greeting'), 'hi from load time');
    assert.equal(Reflect.get(Object(body), 'path'), '/where');
  });

  it('refuses a callback-style handler with three parameters', () => {
    assert.throws(() => loadHandler(bundle('three-params.js')), HandlerLoadError);
  });

  it('refuses a bundle without the named export', () => {
    assert.throws(() => loadHandler(bundle('no-handler.js')), /no function named "handler"/);
  });

  it('refuses a bundle that does not exist, saying which', () => {
    assert.throws(() => loadHandler(bundle('missing.js')), /cannot load .*missing\.js/);
  });
});
