// Loaded into every test process by scripts/run-tests.mjs (with --import, and through NODE_OPTIONS
// into what the tests start: `npm start`, tsx scripts). A test that listens on one of the product's
// default ports (PORT 3000, EMULATOR_PORT 4510, DYNAMODB_PORT 4511, PROD_PORT 3002, start:api's 3001)
// fails at once, every run, instead of only on the day something else on the machine holds that port
// (a developer's `npm start`, another clone's gate). Tests listen on port 0 and read the port they got; processes
// they start get PORT=0, EMULATOR_PORT=0 and DYNAMODB_PORT=0 (test/support/ports.ts).
import net from 'node:net';

const DEFAULT_PORTS = new Set([3000, 3001, 3002, 4510, 4511]);

/** The port a listen() call asks for, from any of its signatures. */
function requestedPort(args) {
  const [first] = args;
  if (typeof first === 'number') return first;
  if (typeof first === 'string' && /^\d+$/.test(first)) return Number(first);
  if (first !== null && typeof first === 'object' && 'port' in first) return Number(first.port);
  return undefined;
}

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function guardedListen(...args) {
  const port = requestedPort(args);
  if (port !== undefined && DEFAULT_PORTS.has(port)) {
    throw new Error(
      `a test listened on ${port}, a default port of the product: listen on port 0 (see test/support/ports.ts)`,
    );
  }
  return listen.apply(this, args);
};
