/**
 * A fault injector between the token service and an upstream (the emulator for IVS, dynalite for
 * DynamoDB): it forwards every request untouched until told to misbehave, then answers as the AWS
 * service does when throttling or failing, never answers, or stops listening (connections refused).
 * Switching back to `pass` ends the fault; nothing in the service is restarted.
 */
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault = 'pass' | 'slow' | 'throttle' | 'error-5xx' | 'hang' | 'refuse';

/** How long `slow` holds each request before forwarding it (well inside every deadline). */
export const SLOW_MS = 300;
export type Protocol = 'ivs' | 'dynamodb';

export interface FaultProxy {
  readonly url: string;
  readonly port: number;
  /** Requests seen since start. */
  readonly seen: number;
  set(fault: Fault): Promise<void>;
  close(): Promise<void>;
}

/** The error each service sends, in its own protocol (restJson1 for IVS, awsJson1_0 for DynamoDB). */
function answerFault(protocol: Protocol, fault: 'throttle' | 'error-5xx', res: ServerResponse): void {
  if (protocol === 'ivs') {
    const [status, type] =
      fault === 'throttle' ? [429, 'ThrottlingException'] : [500, 'InternalServerException'];
    res
      .writeHead(status, { 'content-type': 'application/json', 'x-amzn-ErrorType': type })
      .end(JSON.stringify({ message: 'injected fault' }));
    return;
  }
  const [status, type] = fault === 'throttle' ? [400, 'ThrottlingException'] : [500, 'InternalServerError'];
  res
    .writeHead(status, { 'content-type': 'application/x-amz-json-1.0' })
    .end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: 'injected fault' }));
}

export async function startFaultProxy(target: string, protocol: Protocol): Promise<FaultProxy> {
  const upstream = new URL(target);
  let fault: Fault = 'pass';
  let seen = 0;
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    seen += 1;
    if (fault === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      req.resume();
      return;
    }
    if (fault === 'throttle' || fault === 'error-5xx') {
      const current = fault;
      req.resume();
      req.on('end', () => {
        answerFault(protocol, current, res);
      });
      return;
    }
    const send = (): void => {
      const outbound = forward(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      outbound.on('error', () => {
        res.destroy();
      });
      req.pipe(outbound);
    };
    if (fault === 'slow') setTimeout(send, SLOW_MS);
    else send();
  };
  let server = createServer(handle);
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  server.on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const res of hanging) res.destroy();
      for (const socket of sockets) socket.destroy();
      server.close(() => {
        resolve();
      });
    });
  const listening = (): boolean => server.listening;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get seen() {
      return seen;
    },
    async set(next) {
      if (next === 'refuse') {
        fault = next;
        if (listening()) await stop();
        return;
      }
      if (!listening()) {
        // Listen again on the same port: the service's endpoint does not change.
        server = createServer(handle);
        server.on('connection', track);
        await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      }
      if (next === 'pass') for (const res of hanging) res.destroy();
      fault = next;
    },
    close: () => (listening() ? stop() : Promise.resolve()),
  };
}
