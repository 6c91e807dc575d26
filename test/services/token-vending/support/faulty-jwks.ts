/**
 * A JWKS endpoint on 127.0.0.1:0 that can misbehave on demand: answer normally, fail (500), trickle
 * its answer a byte at a time so it never finishes, pad a valid JWKS to megabytes (declared, or
 * streamed with no length), redirect to a valid JWKS, or reset the next request's connection
 * unanswered (as an endpoint closing an idle keep-alive connection does) and then answer normally.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestKey } from './jwks-server.js';

export type JwksMode = 'ok' | 'down' | 'trickle' | 'huge' | 'huge-streamed' | 'redirect' | 'reset-once';

export interface FaultyJwks {
  readonly jwksUri: string;
  readonly published: TestKey[];
  mode: JwksMode;
  fetches: number;
  close(): Promise<void>;
}

function document(keys: readonly TestKey[], padding = 0): string {
  return JSON.stringify({
    keys: keys.map((key) => ({ ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, use: 'sig' })),
    ...(padding > 0 ? { padding: 'x'.repeat(padding) } : {}),
  });
}

export async function startFaultyJwks(keys: TestKey[]): Promise<FaultyJwks> {
  const open = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const state: FaultyJwks = {
    jwksUri: '',
    published: keys,
    mode: 'ok',
    fetches: 0,
    close: () =>
      new Promise((resolve) => {
        for (const timer of timers) clearInterval(timer);
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
  const server = createServer((req, res) => {
    state.fetches += 1;
    // Where 'redirect' points: a valid JWKS, which a client that follows redirects would accept.
    if (req.url === '/moved.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(document(state.published));
      return;
    }
    switch (state.mode) {
      case 'reset-once':
        state.mode = 'ok';
        req.socket.resetAndDestroy();
        return;
      case 'down':
        res.writeHead(500).end('down');
        return;
      case 'huge': {
        // Valid, and 8 MB, its length declared: a cap must refuse it unread.
        const body = document(state.published, 8 << 20);
        res
          .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
          .end(body);
        return;
      }
      case 'huge-streamed': {
        // The same 8 MB, chunked with no content-length: only counting what arrives can refuse it.
        const body = document(state.published, 8 << 20);
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let at = 0; at < body.length && !res.destroyed; at += 64 * 1024)
          res.write(body.slice(at, at + 64 * 1024));
        res.end();
        return;
      }
      case 'redirect':
        res.writeHead(302, { location: '/moved.json' }).end();
        return;
      case 'trickle': {
        // Headers at once, then one byte every 50 ms: a per-socket idle timeout never fires.
        open.add(res);
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write(' '), 50);
        timers.add(timer);
        res.on('close', () => {
          clearInterval(timer);
          timers.delete(timer);
          open.delete(res);
        });
        return;
      }
      case 'ok':
        res.writeHead(200, { 'content-type': 'application/json' }).end(document(state.published));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { jwksUri: `http://127.0.0.1:${port}/.well-known/jwks.json` });
}
