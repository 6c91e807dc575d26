/**
 * Messages held for review, and slow mode as the review function enforces it, on the demo page in a
 * real browser. Behind it the real stack (demo-stack.ts): the built review function, attached to the
 * room in the emulator, reads the room's modes from dynalite, holds doubtful messages there and
 * refuses a send inside the slow-mode window; the token service lists the held messages and delivers
 * an approved one with SendEvent (`app:approved-message`). The moderator is an admin (who moderates
 * every room). Each test sets the modes it needs first. Needs `npm run build` first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { feedback, messageItem, send, sendAndSee, WAIT_MS, type ChatUser } from './chat-page.js';
import { chatRoom } from './chat-room.js';
import { ROOT } from './demo-stack.js';

/** Wide enough for the panels to sit beside the chat. */
const WIDE = { width: 1100, height: 900 };

/** Held, not refused: the review function's `holdTerms` (held only where the room holds for review). */
const HOLD_TERM = 'giveaway';
const REVIEW_POLICY = { holdTerms: [HOLD_TERM], links: { action: 'ALLOW' } };

interface Modes {
  readonly slowModeSeconds: number;
  readonly holdForReview: boolean;
}

/** Sets the room's modes through the moderator's Room modes panel and waits until saved. */
async function setModes(page: Page, modes: Modes): Promise<void> {
  const panel = page.getByRole('complementary', { name: 'Room modes' });
  await panel.getByLabel('Slow mode', { exact: true }).setChecked(modes.slowModeSeconds > 0);
  if (modes.slowModeSeconds > 0) {
    await panel.getByLabel("Seconds between one user's messages").fill(String(modes.slowModeSeconds));
  }
  await panel.getByLabel('Members only send').setChecked(false);
  await panel.getByLabel('Hold doubtful messages for review').setChecked(modes.holdForReview);
  await page.locator('#feedback').evaluate((element) => {
    element.textContent = '';
  });
  await panel.getByRole('button', { name: 'Save modes' }).click();
  await feedback(page).filter({ hasText: 'Room modes saved.' }).waitFor();
}

/** The held message from `name` in the moderator's queue, read afresh. */
async function heldEntry(page: Page, name: string, text: string) {
  const queue = page.getByRole('complementary', { name: 'Held messages' });
  await queue.getByRole('button', { name: 'Refresh held messages' }).click();
  const entry = queue
    .getByRole('listitem')
    .filter({ hasText: name })
    .filter({ has: page.locator('.held-text', { hasText: text }) });
  await entry.waitFor();
  return entry;
}

/** The artifact: the moderator's and the sender's screens side by side (test-results/ is ignored by git). */
async function saveSheet(left: ChatUser, right: ChatUser, path: string): Promise<void> {
  const shots = await Promise.all([left.page.screenshot(), right.page.screenshot()]);
  const sheet = await left.context.newPage();
  await sheet.setViewportSize({ width: 2240, height: 920 });
  await sheet.setContent(
    `<body style="margin:0;padding:10px;display:flex;gap:20px;background:#444">${shots
      .map((shot) => `<img alt="" src="data:image/png;base64,${shot.toString('base64')}">`)
      .join('')}</body>`,
  );
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  await sheet.screenshot({ path: join(ROOT, path) });
  await sheet.close();
}

describe('held messages and slow mode through the review function, on the demo page', () => {
  const room = chatRoom({
    name: 'e2e-held',
    maximumMessageLength: 500,
    reviewPolicy: REVIEW_POLICY,
    viewport: WIDE,
    roomPerTest: true,
  });

  it('holds a doubtful message; approved, everyone sees it from its sender; rejected, no one', async () => {
    const mia = await room.user('Mia', 'admin');
    const bob = await room.user('Bob', 'user');
    const cat = await room.user('Cat', 'user');
    await setModes(mia.page, { slowModeSeconds: 0, holdForReview: true });
    await bob.page.locator('#modes-line').getByText('Messages may be held for review').waitFor();

    const doubtful = `free ${HOLD_TERM} today`;
    await send(bob, doubtful);

    // Bob is told it waits, and sees it marked so; nobody else sees it yet.
    await feedback(bob.page).filter({ hasText: 'Your message is waiting for a moderator.' }).waitFor();
    const waiting = bob.page.locator('li.message.held', { hasText: doubtful });
    await waiting.waitFor();
    assert.equal(await bob.page.getByRole('textbox', { name: 'Message' }).inputValue(), '');

    // Mia approves it from the queue: it reaches Cat as a message from Bob, and replaces Bob's copy.
    const entry = await heldEntry(mia.page, 'Bob', doubtful);
    await saveSheet(mia, bob, 'test-results/chat-held.png');
    await entry.getByRole('button', { name: 'Approve the message from Bob' }).click();
    await entry.waitFor({ state: 'detached' });
    const onCat = messageItem(cat.page, doubtful);
    await onCat.waitFor();
    assert.equal(await onCat.locator('.author').textContent(), 'Bob');
    await waiting.waitFor({ state: 'detached' });
    await messageItem(bob.page, doubtful).waitFor();

    // Another is rejected with a reason: it reaches no one, and the log says so.
    const second = `another ${HOLD_TERM}`;
    await send(bob, second);
    const rejected = await heldEntry(mia.page, 'Bob', second);
    await rejected.getByRole('button', { name: 'Reject the message from Bob' }).click();
    const form = rejected.getByRole('form', { name: 'Reject the message from Bob' });
    await form.getByLabel('Reason (optional)').fill('no ads');
    await form.getByRole('button', { name: 'Reject message' }).click();
    await rejected.waitFor({ state: 'detached' });
    const log = mia.page.getByRole('list', { name: 'Moderation log' });
    await log.getByText(/You rejected a held message from Bob.*Reason: no ads/).waitFor();
    await log.getByText(/You approved a held message from Bob/).waitFor();
    // Cat said something after: by then the rejected one would have arrived before it.
    await sendAndSee(cat, 'after the rejection');
    await messageItem(mia.page, 'after the rejection').waitFor();
    assert.equal(await messageItem(cat.page, second).count(), 0);

    await setModes(mia.page, { slowModeSeconds: 0, holdForReview: false });
    assert.deepEqual([...mia.problems, ...bob.problems, ...cat.problems], []);
  });

  it('counts down from the review function’s slow-mode refusal when the page did not know to wait', async () => {
    // Bob's page clock can be moved ahead: his own countdown then ends early, while the review function
    // (on the real clock) still holds him back, and its refusal says for how long.
    const mia = await room.user('Mia', 'admin');
    const bob = await room.user('Bob', 'user', { fakeClock: true });
    await setModes(mia.page, { slowModeSeconds: 60, holdForReview: false });
    await bob.page.locator('#modes-line').getByText('Slow mode: 60 s').waitFor();

    await sendAndSee(bob, 'first in slow mode');
    const countdown = bob.page.locator('#slow-mode-wait');
    await countdown.waitFor();
    await bob.page.clock.fastForward(61_000);
    await countdown.waitFor({ state: 'hidden' });

    await send(bob, 'too soon for the review');

    await feedback(bob.page)
      .filter({ hasText: /^Not sent: Slow mode: wait \d+ s before your next message\.$/ })
      .waitFor({ timeout: WAIT_MS });
    await countdown.filter({ hasText: /^Slow mode: you can send again in \d+ s\.$/ }).waitFor();
    assert.equal(await bob.page.getByRole('button', { name: 'Send', exact: true }).isDisabled(), true);
    assert.equal(await messageItem(mia.page, 'too soon for the review').count(), 0);

    await setModes(mia.page, { slowModeSeconds: 0, holdForReview: false });
    await countdown.waitFor({ state: 'hidden' });
    assert.deepEqual([...mia.problems, ...bob.problems], []);
  });
});
