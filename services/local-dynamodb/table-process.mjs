// dynalite in a process of its own, forked by start.ts: DynamoDB is another service in AWS, so the local
// table must not share an event loop with the code that calls it. On one thread with the emulator, the
// token service and (in the tests) a browser driver, a busy moment there held the review function's
// standing read past its 200 ms budget, and the message got the room's fallback. Plain JavaScript on
// purpose: it starts without a TypeScript loader. The parent sends `{ type: 'close' }`; if the parent
// dies, the IPC channel closes and this process closes too.
import dynalite from 'dynalite';

const { host, port, dataDir } = JSON.parse(process.argv[2] ?? '{}');

const server = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(typeof dataDir === 'string' ? { path: dataDir } : {}),
});

// dynalite answers any web origin (`Access-Control-Allow-Origin: *`, even to a request with a fake
// signature): any page open while the local stack runs could read private history and write bans.
// The AWS SDKs send no `Origin`; a browser always does on a cross-site request. So a request that
// carries one is refused before dynalite sees it, as the emulator's control plane does.
const listeners = server.listeners('request');
server.removeAllListeners('request');
server.on('request', (req, res) => {
  if (req.headers.origin !== undefined) {
    res.writeHead(403, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-ErrorType': 'AccessDeniedException',
    });
    res.end(
      JSON.stringify({
        __type: 'com.amazon.coral.service#AccessDeniedException',
        message: 'The local table does not accept requests from browsers (Origin is set)',
      }),
    );
    req.resume();
    return;
  }
  for (const listener of listeners) Reflect.apply(listener, server, [req, res]);
});

let closing;
function close() {
  closing ??= new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }).then(() => process.exit(0));
  return closing;
}

// Ctrl-C reaches the whole process group: the parent decides when the table closes (after the
// servers that use it), so the signal itself is ignored here.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('disconnect', () => void close());
process.on('message', (message) => {
  if (message !== null && typeof message === 'object' && message.type === 'close') void close();
});

server.once('error', (error) => {
  process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
server.listen(port, host, () => {
  process.send?.({ type: 'listening', port: server.address().port });
});
