import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GetRoomCommand, InternalServerException, IvschatClient } from '@aws-sdk/client-ivschat';
import { ChatLogSink } from '../../../services/local-ivschat/chat-log.js';
import { systemClock } from '../../../services/local-ivschat/clock.js';
import { createControlPlane } from '../../../services/local-ivschat/control-plane.js';
import { FunctionHost } from '../../../services/local-ivschat/function-host.js';
import { Messaging } from '../../../services/local-ivschat/messaging.js';
import { Quotas } from '../../../services/local-ivschat/quotas.js';
import { Store } from '../../../services/local-ivschat/store.js';
import { TokenRegistry } from '../../../services/local-ivschat/tokens.js';
import { createLogger } from '../../../shared/logger.js';

/** A store whose room lookup fails as a bug would: the one way to reach the generic 500 path. */
class BrokenStore extends Store {
  override readonly rooms = new (class extends Map<string, never> {
    override get(): never {
      throw new Error('secret internal detail');
    }
  })();
}

describe('control plane unexpected failures', () => {
  let server: Server;
  let client: IvschatClient;
  const lines: string[] = [];
  before(async () => {
    const logger = createLogger({ write: (line) => lines.push(line) });
    const store = new BrokenStore();
    const tokens = new TokenRegistry();
    const functions = new FunctionHost({ functions: {}, region: 'us-east-1', logger });
    const quotas = new Quotas(undefined, systemClock);
    const messaging = new Messaging({
      store,
      tokens,
      functions,
      clock: systemClock,
      logger,
      chatLog: new ChatLogSink(undefined, store, logger),
      reviewDeadlineMs: 200,
      quotas,
    });
    const context = {
      store,
      messaging,
      tokens,
      functions,
      clock: systemClock,
      region: 'us-east-1',
      accountId: '123456789012',
      quotas,
    };
    server = createServer(createControlPlane({ context, logger, onChange: () => undefined }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new IvschatClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  after(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers InternalServerException with a generic message and logs the cause', async () => {
    const identifier = 'arn:aws:ivschat:us-east-1:123456789012:room/AAAAAAAAAAAA';
    await assert.rejects(client.send(new GetRoomCommand({ identifier })), (error: unknown) => {
      assert.ok(error instanceof InternalServerException);
      assert.equal(error.$metadata.httpStatusCode, 500);
      assert.equal(error.message, 'Internal server error');
      return true;
    });
    assert.ok(lines.some((line) => line.includes('secret internal detail')));
  });
});
