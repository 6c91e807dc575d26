/**
 * A real HTTP server on 127.0.0.1:0 that answers CreateChatToken (and GetRoom, which the service
 * asks once for a room it has not recorded yet) the way IVS Chat does
 * (IVS Chat API reference, restJson1 as the SDK speaks it): POST /CreateChatToken, ISO-8601 timestamps, errors with the model status,
 * the `x-amzn-ErrorType` header and a `{"message"}` body (never a `code` key).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StubReply =
  | { readonly kind: 'token' }
  | { readonly kind: 'error'; readonly status: number; readonly errorType: string; readonly message: string }
  | { readonly kind: 'hang' }
  | { readonly kind: 'delay'; readonly ms: number };

export interface IvsStub {
  readonly url: string;
  /** Parsed JSON bodies received, in order. */
  readonly requests: { path: string; body: unknown }[];
  reply: StubReply;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function answerToken(res: ServerResponse): void {
  const now = Date.now();
  res.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify({
      token: `AQICAH${Math.random().toString(36).slice(2)}stubtoken`,
      tokenExpirationTime: new Date(now + 60_000).toISOString(),
      sessionExpirationTime: new Date(now + 60 * 60_000).toISOString(),
    }),
  );
}

/** The room the service records on first sight: made outside the API, so public and ownerless. */
function answerRoom(res: ServerResponse, body: unknown): void {
  const arn =
    typeof body === 'object' && body !== null && 'identifier' in body && typeof body.identifier === 'string'
      ? body.identifier
      : '';
  const created = new Date(Date.now() - 60_000).toISOString();
  res.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify({
      arn,
      id: arn.slice(-12),
      name: 'stub-room',
      createTime: created,
      updateTime: created,
      maximumMessageLength: 500,
      maximumMessageRatePerSecond: 10,
      tags: {},
    }),
  );
}

export async function startIvsStub(initial: StubReply = { kind: 'token' }): Promise<IvsStub> {
  const requests: IvsStub['requests'] = [];
  const hanging = new Set<ServerResponse>();
  const stub: IvsStub = {
    url: '',
    requests,
    reply: initial,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      requests.push({ path: req.url ?? '', body });
      const reply = stub.reply;
      if (req.url === '/GetRoom') {
        answerRoom(res, body);
        return;
      }
      if (req.url !== '/CreateChatToken') {
        res.writeHead(404, { 'x-amzn-ErrorType': 'UnknownOperationException' }).end('{"message":"unknown"}');
        return;
      }
      switch (reply.kind) {
        case 'token':
          answerToken(res);
          return;
        case 'delay':
          setTimeout(() => {
            answerToken(res);
          }, reply.ms);
          return;
        case 'hang':
          hanging.add(res);
          return;
        case 'error':
          res
            .writeHead(reply.status, {
              'content-type': 'application/json',
              'x-amzn-ErrorType': reply.errorType,
            })
            .end(JSON.stringify({ message: reply.message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, { url: `http://127.0.0.1:${port}` });
}
