/**
 * The demo page in a real browser, as chat.test.ts: what moderators, plain users and viewers see
 * and may do, application events, and the room's rate limit. Needs `npm run build` first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRoomCommand, SendEventCommand } from '@aws-sdk/client-ivschat';
import { connected, feedback, messageItem, messageList, openChat, send, sendAndSee } from './chat-page.js';
import { chatRoom } from './chat-room.js';

const MAXIMUM_MESSAGE_LENGTH = 120;

describe('the chat demo page in a real browser: roles, events and limits', () => {
  const room = chatRoom({
    name: 'e2e-demo',
    maximumMessageLength: MAXIMUM_MESSAGE_LENGTH,
  });

  it('removes a message for everyone when a moderator deletes it', async () => {
    const mod = await room.user('Mia', 'moderator');
    const bob = await room.user('Bob', 'user');
    await sendAndSee(bob, 'a message to be deleted');
    const onModerator = messageItem(mod.page, 'a message to be deleted');
    await onModerator.waitFor();

    await onModerator.getByRole('button', { name: 'Delete message from Bob' }).click();

    await messageItem(bob.page, 'a message to be deleted').waitFor({ state: 'detached' });
    await onModerator.waitFor({ state: 'detached' });
    await feedback(bob.page).filter({ hasText: 'was deleted' }).waitFor();
  });

  it('disconnects a user when a moderator asks, and tells the room', async () => {
    const mod = await room.user('Mia', 'moderator');
    const bob = await room.user('Bob', 'user');
    await sendAndSee(bob, 'hello from Bob');
    const onModerator = messageItem(mod.page, 'hello from Bob');
    await onModerator.waitFor();

    await onModerator.getByRole('button', { name: 'Disconnect Bob' }).click();

    await bob.page.locator('#status[data-state="error"]', { hasText: 'Disconnected' }).waitFor();
    await messageList(mod.page).locator('li.notice', { hasText: 'Bob was disconnected' }).waitFor();
    // Bob can come back: a reconnect fetches a fresh token (a token opens one connection only).
    await bob.page.getByRole('button', { name: 'Reconnect' }).click();
    await connected(bob.page);
  });

  it('offers no moderator actions to a plain user', async () => {
    const ann = await room.user('Ann', 'user');
    await sendAndSee(ann, 'no buttons here');

    assert.equal(await messageItem(ann.page, 'no buttons here').getByRole('button').count(), 0);
  });

  it('shows a viewer the chat without a send box', async () => {
    const ann = await room.user('Ann', 'user');
    const vic = await room.user('Vic', 'viewer');

    await sendAndSee(ann, 'for the viewers');

    await messageItem(vic.page, 'for the viewers').waitFor();
    assert.equal(await vic.page.getByRole('textbox', { name: 'Message' }).isVisible(), false);
    assert.equal(await vic.page.getByRole('button', { name: 'Send' }).isVisible(), false);
    assert.equal(await vic.page.getByText('you can read the chat').isVisible(), true);
  });

  it('shows an application event sent with SendEvent', async () => {
    const ann = await room.user('Ann', 'user');

    await room.stack.ivs.send(
      new SendEventCommand({
        roomIdentifier: room.roomArn,
        eventName: 'app:announcement',
        attributes: { text: 'The stream starts in 5 minutes' },
      }),
    );

    const notice = messageList(ann.page).locator('li.notice', { hasText: 'app:announcement' });
    await notice.waitFor();
    assert.match((await notice.textContent()) ?? '', /The stream starts in 5 minutes/);
  });

  it('tells the sender to slow down when the room’s rate limit refuses a message (429)', async () => {
    // A room of its own at 1 message per second, so no other test shares its budget.
    const slow = await room.stack.ivs.send(
      new CreateRoomCommand({ name: 'e2e-slow', maximumMessageRatePerSecond: 1 }),
    );
    const slowService = await room.stack.serveRoom({ arn: slow.arn ?? '', maximumMessageLength: 500 });
    try {
      const ann = await openChat(room.stack.browser, `${slowService.url}/`, 'Ann', 'user');
      room.track(ann);
      const slowDown = feedback(ann.page).filter({ hasText: 'too fast' });

      // Bounded burst: each send settles (delivered or refused) before the next, all well within a second
      // of each other on any machine, so the second or a later one meets the limit.
      for (let attempt = 1; attempt <= 10 && !(await slowDown.isVisible()); attempt++) {
        const text = `burst ${attempt}`;
        await send(ann, text);
        await messageItem(ann.page, text).or(slowDown).first().waitFor();
      }

      assert.equal(await slowDown.isVisible(), true);
      assert.equal(await feedback(ann.page).getAttribute('data-kind'), 'rate-limited');
    } finally {
      await slowService.close();
    }
  });
});
