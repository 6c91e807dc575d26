/**
 * Ports in tests. Two gates (two clones, or a gate beside a developer's `npm start`) run on one
 * machine at the same time, so a test never uses a fixed port: a server listens on port 0 and the
 * test reads the port it got; a process a test starts gets port 0 for every port it would otherwise
 * take from its defaults. scripts/run-tests.mjs loads default-port-guard.mjs, which fails a test that
 * listens on one of the product's default ports.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';

/** Spread into the environment of a process a test starts (`npm start`, scripts/start.ts, …). */
export const FREE_PORTS_ENV = { PORT: '0', EMULATOR_PORT: '0', DYNAMODB_PORT: '0' } as const;

/** Listens on 127.0.0.1:0 and resolves with the port the system gave. */
export function listenOnFreePort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * A loopback port nothing listens on, for a test of "connection refused": one the system just gave
 * and took back. Another process could be given it in between; the kernel hands out ephemeral ports
 * in a spread-out order, so that is rare, and such a test should say what it saw when it fails.
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listenOnFreePort(server);
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}
