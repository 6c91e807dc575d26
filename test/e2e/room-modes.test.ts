/**
 * The room's live-stream modes on the demo page in a real browser: a pinned message seen live and by
 * a late joiner, slow mode's countdown in the composer, members-only sending, and the moderation log
 * view. Behind it the real stack (demo-stack.ts): the token service stores the modes and the pin on
 * the room in dynalite and announces them with SendEvent through the emulator; the page reads them
 * from GET of the room and /config.json. The moderator is an admin (who moderates every room). Each
 * test sets the modes it needs first, so the order of the tests does not matter. Needs `npm run build`
 * first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { connected, feedback, messageItem, send, sendAndSee, WAIT_MS } from './chat-page.js';
import { chatRoom } from './chat-room.js';

/** Wide enough for the panels to sit beside the chat. */
const WIDE = { width: 1100, height: 900 };

interface Modes {
  readonly slowModeSeconds: number;
  readonly membersOnlySend: boolean;
}

/** Sets the room's modes through the moderator's Room modes panel and waits until saved. */
async function setModes(page: Page, modes: Modes): Promise<void> {
  const panel = page.getByRole('complementary', { name: 'Room modes' });
  await panel.getByLabel('Slow mode', { exact: true }).setChecked(modes.slowModeSeconds > 0);
  if (modes.slowModeSeconds > 0) {
    await panel.getByLabel("Seconds between one user's messages").fill(String(modes.slowModeSeconds));
  }
  await panel.getByLabel('Members only send').setChecked(modes.membersOnlySend);
  await panel.getByLabel('Hold doubtful messages for review').setChecked(false);
  await page.locator('#feedback').evaluate((element) => {
    element.textContent = '';
  });
  await panel.getByRole('button', { name: 'Save modes' }).click();
  await feedback(page).filter({ hasText: 'Room modes saved.' }).waitFor();
}

const OFF: Modes = { slowModeSeconds: 0, membersOnlySend: false };

describe('room modes on the chat demo page', () => {
  const room = chatRoom({ name: 'e2e-modes', maximumMessageLength: 500, viewport: WIDE, roomPerTest: true });

  it('shows a pin above the chat at once to those connected, and to a late joiner', async () => {
    const mia = await room.user('Mia', 'admin');
    const bob = await room.user('Bob', 'user');
    await setModes(mia.page, OFF);
    // The page names users it has seen in the room (else it shows their id): Mia says hello first.
    await sendAndSee(mia, 'hello from the moderator');
    await messageItem(bob.page, 'hello from the moderator').waitFor();
    const pinText = 'Stream starts at the top of the hour: be kind';

    await mia.page.getByLabel('Pin a text of your own').fill(pinText);
    await mia.page.getByRole('button', { name: 'Pin', exact: true }).click();

    // Live: Bob's page follows the app:pin event, without a reload.
    const bobPin = bob.page.getByRole('region', { name: 'Pinned' });
    await bobPin.locator('.pinned-text', { hasText: pinText }).waitFor();
    assert.match((await bobPin.locator('.pinned-detail').textContent()) ?? '', /^Pinned by Mia at /);
    // Only moderators get Unpin.
    assert.equal(await bobPin.getByRole('button', { name: 'Unpin' }).isVisible(), false);

    // A late joiner sees it from the room (config.json and GET of the room).
    const cat = await room.user('Cat', 'user');
    await cat.page
      .getByRole('region', { name: 'Pinned' })
      .locator('.pinned-text', { hasText: pinText })
      .waitFor();

    // Unpinned: gone for everyone at once (app:unpin).
    await mia.page.getByRole('region', { name: 'Pinned' }).getByRole('button', { name: 'Unpin' }).click();
    await bobPin.waitFor({ state: 'hidden' });
    await cat.page.getByRole('region', { name: 'Pinned' }).waitFor({ state: 'hidden' });

    // A message of the room, pinned from its actions (the service finds it in the room's history).
    await messageItem(mia.page, 'hello from the moderator')
      .getByRole('button', { name: 'Pin message from Mia' })
      .click();
    await bobPin.locator('.pinned-text', { hasText: 'hello from the moderator' }).waitFor();
    await mia.page.getByRole('region', { name: 'Pinned' }).getByRole('button', { name: 'Unpin' }).click();
    await bobPin.waitFor({ state: 'hidden' });
    assert.deepEqual([...mia.problems, ...bob.problems, ...cat.problems], []);
  });

  it('counts slow mode down in the composer after a send; moderators are exempt', async () => {
    const mia = await room.user('Mia', 'admin');
    const bob = await room.user('Bob', 'user');
    await setModes(mia.page, { slowModeSeconds: 4, membersOnlySend: false });
    // Bob's page learnt the modes from the app:modes event.
    await bob.page.locator('#modes-line').getByText('Slow mode: 4 s').waitFor();

    await sendAndSee(bob, 'first under slow mode');

    // The countdown shows and Send stays disabled while it runs; Enter does not get round it.
    const countdown = bob.page.locator('#slow-mode-wait');
    await countdown.filter({ hasText: /^Slow mode: you can send again in [1-4] s\.$/ }).waitFor();
    const sendButton = bob.page.getByRole('button', { name: 'Send', exact: true });
    await send(bob, 'too soon');
    assert.equal(await sendButton.isDisabled(), true);
    assert.equal(await bob.page.getByRole('textbox', { name: 'Message' }).inputValue(), 'too soon');
    // It ends by itself (the wait allows for a loaded machine), and the text left in the box is sent.
    await countdown.waitFor({ state: 'hidden', timeout: WAIT_MS });
    assert.equal(await sendButton.isDisabled(), false);
    await bob.page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await messageItem(bob.page, 'too soon').waitFor();

    // The moderator sends twice in a row with no countdown.
    await sendAndSee(mia, 'moderator one');
    await sendAndSee(mia, 'moderator two');
    assert.equal(await mia.page.locator('#slow-mode-wait').isVisible(), false);

    // Turned off: the line goes for everyone.
    await setModes(mia.page, OFF);
    await bob.page.locator('#modes-line').waitFor({ state: 'hidden' });
    assert.deepEqual([...mia.problems, ...bob.problems], []);
  });

  it('members-only: a non-member reads but cannot send, and is told why; joined, they send', async () => {
    const mia = await room.user('Mia', 'admin');
    const bob = await room.user('Bob', 'user');
    await setModes(mia.page, { slowModeSeconds: 0, membersOnlySend: true });

    // Bob's token was issued before: the app:modes event gets him a new one, without SEND_MESSAGE.
    const notice = bob.page.locator('#members-only');
    await notice.getByText('Only members may send here.').waitFor();
    assert.equal(await bob.page.getByRole('textbox', { name: 'Message' }).isVisible(), false);
    // He still reads.
    await sendAndSee(mia, 'members only for now');
    await messageItem(bob.page, 'members only for now').waitFor();
    // A late non-member sees the same at once.
    const cat = await room.user('Cat', 'user');
    await cat.page.locator('#members-only').getByText('Only members may send here.').waitFor();

    // Joining (a public room) gets Bob a token that may send.
    await notice.getByRole('button', { name: 'Join this room' }).click();
    await notice.waitFor({ state: 'hidden' });
    await connected(bob.page);
    await sendAndSee(bob, 'now I am a member');
    await messageItem(mia.page, 'now I am a member').waitFor();

    await setModes(mia.page, OFF);
    // Cat, still no member, may send again once the mode is off.
    await cat.page.getByRole('textbox', { name: 'Message' }).waitFor();
    await sendAndSee(cat, 'open again');
    assert.deepEqual([...mia.problems, ...bob.problems, ...cat.problems], []);
  });

  it('shows the moderation log: who changed the modes and pinned, newest first', async () => {
    const mia = await room.user('Mia', 'admin');
    await setModes(mia.page, { slowModeSeconds: 30, membersOnlySend: false });
    await mia.page.getByLabel('Pin a text of your own').fill('log me');
    await mia.page.getByRole('button', { name: 'Pin', exact: true }).click();
    await mia.page
      .getByRole('region', { name: 'Pinned' })
      .locator('.pinned-text', { hasText: 'log me' })
      .waitFor();

    const log = mia.page.getByRole('list', { name: 'Moderation log' });
    await log.getByText('You pinned a text.').waitFor();
    const entries = await log.getByRole('listitem').allTextContents();
    const pinAt = entries.findIndex((entry) => entry.includes('You pinned a text.'));
    const modesAt = entries.findIndex((entry) =>
      entry.includes('You changed the room modes: slow mode 30 s'),
    );
    assert.ok(pinAt >= 0 && modesAt > pinAt, `newest first: ${JSON.stringify(entries)}`);

    // A plain user has no log to read, nor the modes panel.
    const bob = await room.user('Bob', 'user');
    assert.equal(await bob.page.getByRole('heading', { name: 'Moderation log' }).isVisible(), false);
    assert.equal(await bob.page.getByRole('heading', { name: 'Room modes' }).isVisible(), false);

    await mia.page.getByRole('region', { name: 'Pinned' }).getByRole('button', { name: 'Unpin' }).click();
    await setModes(mia.page, OFF);
    assert.deepEqual(mia.problems, []);
  });
});
