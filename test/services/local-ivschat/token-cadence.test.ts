/**
 * How often the real messaging SDK fetches a chat token from an emulator-issued one. The SDK schedules
 * its next connection from `tokenExpirationTime` with the global setTimeout and Date.now, so the test
 * moves both with node:test's mock timers (the sockets stay real) instead of waiting an hour.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { chatRoom, createRoom, next, startHarness, type Harness } from './helpers.js';

/** Lets real I/O (HTTP, WebSocket) run while mocked timers stand still; bounded in turns. */
async function until(condition: () => boolean, turns = 20_000): Promise<void> {
  for (let turn = 0; turn < turns && !condition(); turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('chat token cadence with amazon-ivs-chat-messaging', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness.close();
  });

  it('fetches one token per 59 minutes, not one per 30 seconds', async (t) => {
    const roomArn = await createRoom(harness);
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() });
    const { room, tokenCalls } = chatRoom(harness, roomArn, {
      userId: 'ann',
      sessionDurationInMinutes: 180,
    });
    const connected = next(room, 'connect');
    room.connect();
    await connected;
    try {
      assert.equal(tokenCalls(), 1);

      t.mock.timers.tick(59 * 60_000 - 1_000);
      await until(() => tokenCalls() > 1, 2_000);
      assert.equal(tokenCalls(), 1, 'no new token within the first 59 minutes');

      t.mock.timers.tick(2_000);
      await until(() => tokenCalls() > 1);
      assert.equal(tokenCalls(), 2, 'a new token 60 s before the first one expires');

      // The refreshed connection carries the room on: a message still goes through it.
      const sent = room.sendMessage(new SendMessageRequest('after the refresh'));
      const message = await sent;
      assert.equal(message.content, 'after the refresh');
    } finally {
      room.disconnect();
    }
  });
});
