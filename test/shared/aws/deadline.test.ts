/**
 * The overall deadline on AWS SDK calls, against real servers that never answer: with per-attempt
 * timeouts and retries alone these calls would take maxAttempts × requestTimeout (6 s here); the
 * deadline ends them at 300 ms, and the service maps the result to a 503 with Retry-After.
 * Each test's own timeout (3 s) is what fails when the deadline is missing.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateChatTokenCommand } from '@aws-sdk/client-ivschat';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DeadlineExceededError } from '../../../shared/aws/deadline.js';
import { createTableClient } from '../../../shared/table/client.js';
import { mapIvsError, mapTableError } from '../../../services/token-vending/platform/upstream-errors.js';
import { createIvsClient } from '../../../services/token-vending/platform/ivs-client.js';

const ROOM_ARN = 'arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234';

interface SilentServer {
  readonly endpoint: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections still open. */
  readonly open: number;
  close(): Promise<void>;
}

/** Accepts connections and reads requests, never answers: the slowest possible upstream. */
async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// Shared by the tests that only need an upstream that never answers; a test that counts connections
// has its own, so a late retry of an earlier test cannot be counted (on a loaded machine it was).
let silent: SilentServer;
let endpoint = '';
before(async () => {
  silent = await startSilentServer();
  endpoint = silent.endpoint;
});
after(() => silent.close());

describe('the overall deadline on AWS calls', () => {
  it(
    'ends a CreateChatToken that IVS never answers, retries included, as a 503',
    { timeout: 3000 },
    async () => {
      // Prepare: three attempts of 2 s each would be 6 s.
      const ivs = createIvsClient({
        endpoint,
        region: 'us-east-1',
        dummyCredentials: true,
        connectionTimeoutMs: 1000,
        requestTimeoutMs: 2000,
        maxAttempts: 3,
        deadlineMs: 300,
      });
      const command = new CreateChatTokenCommand({ roomIdentifier: ROOM_ARN, userId: 'u' });
      try {
        // Act
        const error: unknown = await ivs.send(command).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        // Assess
        assert.ok(error instanceof DeadlineExceededError);
        const problem = mapIvsError(error);
        assert.equal(problem.status, 503);
        assert.equal(problem.headers['Retry-After'], '2');
      } finally {
        ivs.destroy();
      }
    },
  );

  it(
    'tears the connection down at the deadline instead of leaving it waiting',
    { timeout: 3000 },
    async () => {
      const own = await startSilentServer();
      const ivs = createIvsClient({
        endpoint: own.endpoint,
        region: 'us-east-1',
        dummyCredentials: true,
        connectionTimeoutMs: 1000,
        requestTimeoutMs: 2000,
        maxAttempts: 1,
        deadlineMs: 200,
      });
      try {
        await assert.rejects(
          ivs.send(new CreateChatTokenCommand({ roomIdentifier: ROOM_ARN, userId: 'u' })),
          DeadlineExceededError,
        );
        // The aborted request's socket closes (the server side sees it go) well before 2 s.
        while (own.open > 0) await new Promise((resolve) => setTimeout(resolve, 10));
        assert.equal(own.accepted, 1);
      } finally {
        ivs.destroy();
        await own.close();
      }
    },
  );

  it(
    'ends a table read that DynamoDB never answers, retries included, as a 503',
    { timeout: 3000 },
    async () => {
      const table = createTableClient({
        endpoint,
        region: 'us-east-1',
        dummyCredentials: true,
        requestTimeoutMs: 2000,
        maxAttempts: 3,
        deadlineMs: 300,
      });
      try {
        const error: unknown = await table
          .send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }))
          .then(
            () => undefined,
            (caught: unknown) => caught,
          );
        assert.ok(error instanceof DeadlineExceededError);
        const problem = mapTableError(error);
        assert.equal(problem.status, 503);
        assert.equal(problem.code, 'store_unavailable');
      } finally {
        table.destroy();
      }
    },
  );

  it('still honours a caller-given abort signal', { timeout: 3000 }, async () => {
    const table = createTableClient({
      endpoint,
      region: 'us-east-1',
      dummyCredentials: true,
      deadlineMs: 2000,
    });
    try {
      const controller = new AbortController();
      setTimeout(() => {
        controller.abort();
      }, 50);
      await assert.rejects(
        table.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }), {
          abortSignal: controller.signal,
        }),
        (error: unknown) => !(error instanceof DeadlineExceededError),
      );
    } finally {
      table.destroy();
    }
  });
});
