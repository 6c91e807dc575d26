/**
 * Moderation on the demo page in a real browser: a moderator (here an admin, who moderates every
 * room) times out and bans users from the message list, sees them in the bans-and-timeouts panel and
 * lifts them there; the user's page says what happened. Timeouts here; bans, a room's own moderators
 * and deletions in moderation.test.ts. Behind it the real stack (demo-stack.ts): the
 * token service records the restriction in dynalite, and the built review Lambda, attached to the
 * room in the emulator, reads it on every message. Needs `npm run build` first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DisconnectUserCommand } from '@aws-sdk/client-ivschat';
import type { Locator } from 'playwright-core';
import {
  connected,
  END_TIME,
  feedback,
  messageItem,
  possibleEnds,
  send,
  sendAndSee,
  userIdOf,
} from './chat-page.js';
import { chatRoom } from './chat-room.js';

/** Wide enough for the panels to sit beside the chat. */
const WIDE = { width: 1100, height: 800 };

/** The end in `text` (the first group of `pattern`) is one of `ends` (possibleEnds). */
function assertEndIn(text: string | null, pattern: RegExp, ends: Set<string>): void {
  const end = pattern.exec(text ?? '')?.[1];
  assert.ok(
    end !== undefined && ends.has(end),
    `"${String(text)}" should end at one of: ${[...ends].join(', ')}`,
  );
}

describe('moderation on the chat demo page: timeouts', () => {
  const room = chatRoom({
    name: 'e2e-moderation',
    maximumMessageLength: 500,
    viewport: WIDE,
    roomPerTest: true,
  });

  /** Opens the Ban or Time out form under `message`, picks the duration and reason, and confirms. */
  async function restrict(
    message: Locator,
    kind: 'Ban' | 'Time out',
    name: string,
    duration: string,
    reason: string,
  ): Promise<void> {
    await message.getByRole('button', { name: `${kind} ${name}`, exact: true }).click();
    const form = message.getByRole('form', { name: `${kind} ${name}` });
    await form.getByLabel('Duration').selectOption({ label: duration });
    await form.getByLabel('Reason (optional)').fill(reason);
    await form.getByRole('button', { name: `${kind} ${name}`, exact: true }).click();
    await form.waitFor({ state: 'detached' });
  }

  it('times a user out: their next message reaches no one; lifted, they send again', async () => {
    // Prepare
    const mia = await room.user('Mia', 'admin');
    const bob = await room.user('Bob', 'user');
    await sendAndSee(bob, 'hello before the timeout');
    const onModerator = messageItem(mia.page, 'hello before the timeout');
    await onModerator.waitFor();
    assert.equal(await messageItem(bob.page, 'hello before the timeout').getByRole('button').count(), 0);

    // Act: Mia times Bob out for 10 minutes.
    const imposedFrom = Date.now();
    await restrict(onModerator, 'Time out', 'Bob', '10 minutes', 'cool down');

    // Assess: the panel lists him; his next message is refused and his page says until when.
    const listed = mia.page.getByRole('list', { name: 'Timed out' }).getByRole('listitem');
    await listed.filter({ hasText: 'Bob' }).filter({ hasText: 'cool down' }).waitFor();
    await send(bob, 'are you there?');
    await feedback(bob.page).filter({ hasText: 'Not sent: You are timed out until' }).waitFor();
    const standing = bob.page.locator('#standing');
    const timedOut = new RegExp(`^You are timed out until (${END_TIME}): you can read but not send\\.$`);
    await standing.filter({ hasText: timedOut }).waitFor();
    assertEndIn(await standing.textContent(), timedOut, possibleEnds(10, imposedFrom, Date.now()));
    // He still reads the room.
    await sendAndSee(mia, 'Bob, take a break');
    await messageItem(bob.page, 'Bob, take a break').waitFor();

    // Act: Mia lifts the timeout from the panel.
    await mia.page.getByRole('button', { name: 'Lift the timeout of Bob' }).click();
    await feedback(mia.page).filter({ hasText: 'Bob may send again.' }).waitFor();
    await mia.page.getByText('Nobody is timed out.').waitFor();

    // Assess: the same connection sends again, and the refused message never reached anyone (a
    // socket keeps Bob's messages in order: once the next one arrives, the refused one never will).
    await send(bob, 'back again');
    await messageItem(mia.page, 'back again').waitFor();
    await messageItem(bob.page, 'back again').waitFor();
    assert.equal(await messageItem(mia.page, 'are you there?').count(), 0);
    assert.equal(await messageItem(bob.page, 'are you there?').count(), 0);
    assert.equal(await standing.isVisible(), false);
    assert.deepEqual([...mia.problems, ...bob.problems], []);
  });

  it('renews a token fetched during a timeout once the timeout is lifted and a send is refused (403)', async () => {
    // Prepare: Bob is timed out, then reconnects, so his new token lacks SEND_MESSAGE.
    const mia = await room.user('Mia', 'admin');
    const bob = await room.user('Bob', 'user');
    await sendAndSee(bob, 'about to be muted');
    const imposedFrom = Date.now();
    await restrict(messageItem(mia.page, 'about to be muted'), 'Time out', 'Bob', '1 hour', 'flooding');
    await room.stack.ivs.send(
      new DisconnectUserCommand({ roomIdentifier: room.roomArn, userId: await userIdOf(bob.page) }),
    );
    await bob.page.getByRole('button', { name: 'Reconnect' }).click();
    await connected(bob.page);
    // The token says until when; the box stays, so he can try once the timeout is over.
    const timedOut = new RegExp(`^You are timed out until (${END_TIME}):`);
    const standing = bob.page.locator('#standing', { hasText: timedOut });
    await standing.waitFor();
    assertEndIn(await standing.textContent(), timedOut, possibleEnds(60, imposedFrom, Date.now()));
    await bob.page.getByText('Signed in as Bob: can read', { exact: true }).waitFor();
    await mia.page.getByRole('button', { name: 'Lift the timeout of Bob' }).click();
    await mia.page.getByText('Nobody is timed out.').waitFor();

    // Act: his first send is refused by the room (no SEND_MESSAGE); the page gets a new token.
    await send(bob, 'can I talk now?');
    await feedback(bob.page).filter({ hasText: 'Getting a new one' }).waitFor();
    await bob.page.getByText('Signed in as Bob: can read and send', { exact: true }).waitFor();
    await connected(bob.page);

    // Assess: the text is still in the box, and sending it again reaches the room.
    await bob.page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await messageItem(mia.page, 'can I talk now?').waitFor();
    assert.equal(await bob.page.locator('#standing').isVisible(), false);
  });
});
