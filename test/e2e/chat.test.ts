/**
 * The demo page in a real browser (Debian's chromium driven by playwright-core) against the real
 * stack started in-process on ephemeral ports (demo-stack.ts, chat-room.ts): the emulator with the
 * built review Lambda attached to the room, dynalite, the token service serving the built page, and
 * the real @aws-sdk/client-ivschat to set up the room. Messages: delivery, history, review, limits.
 * Needs `npm run build` first. What moderators and viewers see is in chat-roles.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connected, feedback, messageItem, messageList, send, sendAndSee, WAIT_MS } from './chat-page.js';
import { chatRoom } from './chat-room.js';
import { ROOT } from './demo-stack.js';

const MAXIMUM_MESSAGE_LENGTH = 120;
/**
 * The review Lambda's policy for this room (its REVIEW_POLICY): one term refused, e-mail addresses
 * masked. Links are let through so that nothing else in these messages trips a rule.
 */
const DENIED_TERM = 'grapefruit';
const MASKED_EMAIL = 'ann@example.com';
const REVIEW_POLICY = {
  blockedTerms: [DENIED_TERM],
  blockedTermAction: 'DENY',
  pii: { email: true, action: 'MASK' },
  links: { action: 'ALLOW' },
};

describe('the chat demo page in a real browser: messages', () => {
  const room = chatRoom({
    name: 'e2e-demo',
    maximumMessageLength: MAXIMUM_MESSAGE_LENGTH,
    reviewPolicy: REVIEW_POLICY,
  });

  it('delivers a message from one user to another, under the sender’s display name', async () => {
    // Prepare: a user and a moderator, so the artifact shows both views of the room.
    const ann = await room.user('Ann', 'user');
    const mia = await room.user('Mia', 'moderator');

    // Act
    await sendAndSee(ann, 'Hello Mia, can you see this?');
    await sendAndSee(mia, 'Loud and clear, Ann!');

    // Assess
    const received = messageItem(mia.page, 'Hello Mia, can you see this?');
    await received.waitFor();
    assert.equal(await received.locator('.author').textContent(), 'Ann');
    const answer = messageItem(ann.page, 'Loud and clear, Ann!');
    await answer.waitFor();
    assert.equal(await answer.locator('.author').textContent(), 'Mia');
    // No uncaught error and no CSP violation on either page.
    assert.deepEqual([...ann.problems, ...mia.problems], []);

    // The artifact: both users' screens side by side (test-results/ is ignored by git).
    const shots = await Promise.all([ann.page.screenshot(), mia.page.screenshot()]);
    const sheet = await ann.context.newPage();
    await sheet.setViewportSize({ width: 1000, height: 780 });
    await sheet.setContent(
      `<body style="margin:0;padding:10px;display:flex;gap:20px;background:#444">${shots
        .map((shot) => `<img alt="" src="data:image/png;base64,${shot.toString('base64')}">`)
        .join('')}</body>`,
    );
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await sheet.screenshot({ path: join(ROOT, 'test-results/chat-two-users.png'), fullPage: true });
    await sheet.close();
  });

  it('shows a late joiner the messages sent before they came, oldest first, each once', async () => {
    // Prepare: Ann sends three messages before Lea signs in.
    const ann = await room.user('Ann', 'user');
    const earlier = ['first of three', 'second of three', 'third of three'];
    for (const text of earlier) await sendAndSee(ann, text);

    // Act: Lea signs in later; then one more message arrives live.
    const lea = await room.user('Lea', 'user', { fakeClock: true });
    for (const text of earlier) await messageItem(lea.page, text).waitFor();
    await sendAndSee(ann, 'and one live');
    await messageItem(lea.page, 'and one live').waitFor();
    // The page fetches history again a while after connecting (the chat log trails in AWS): by then
    // the live message is in history too, and it must still be shown once.
    const historyRead = lea.page.waitForResponse((response) => /\/messages\?limit=50$/.test(response.url()));
    await lea.page.clock.fastForward(20_000);
    await historyRead;

    // Assess: the three above the live one, in the order sent, each once.
    const texts = await messageList(lea.page).locator('li.message .text').allTextContents();
    const expected = [...earlier, 'and one live'];
    for (const text of expected) assert.equal(texts.filter((shown) => shown === text).length, 1, text);
    const positions = expected.map((text) => texts.indexOf(text));
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
    );
    assert.deepEqual(lea.problems, []);
  });

  it('refuses a blocked term and shows the sender the review’s reason, delivering nothing', async () => {
    const ann = await room.user('Ann', 'user');
    const bob = await room.user('Bob', 'user');
    const refused = `I love ${DENIED_TERM} juice`;

    await send(ann, refused);

    // The review Lambda's reason for a blocked term, relayed by the room in the 406 error.
    const shown = feedback(ann.page).filter({ hasText: 'Not sent' });
    await shown.waitFor();
    assert.match((await shown.textContent()) ?? '', /contains a word that is not allowed here/);
    // The refused text stays in the box for editing.
    assert.equal(await ann.page.getByRole('textbox', { name: 'Message' }).inputValue(), refused);
    // Messages keep their order on a socket: once the next one arrives, the refused one never will.
    await sendAndSee(ann, 'orange juice then');
    await messageItem(bob.page, 'orange juice then').waitFor();
    assert.equal(await messageItem(bob.page, refused).count(), 0);
  });

  it('delivers a masked message masked, to the sender and to others', async () => {
    const ann = await room.user('Ann', 'user');
    const bob = await room.user('Bob', 'user');
    const masked = `write to ${'*'.repeat(MASKED_EMAIL.length)} today`;

    await send(ann, `write to ${MASKED_EMAIL} today`);

    await messageItem(bob.page, masked).waitFor();
    await messageItem(ann.page, masked).waitFor();
    assert.equal(await messageList(bob.page).getByText(MASKED_EMAIL).count(), 0);
  });

  it('counts code points against the room’s limit and refuses to send past it', async () => {
    const ann = await room.user('Ann', 'user');
    const box = ann.page.getByRole('textbox', { name: 'Message' });
    const counter = ann.page.locator('#counter');

    await box.fill('a😀b');
    assert.equal(await counter.textContent(), `3 / ${MAXIMUM_MESSAGE_LENGTH}`);

    await box.fill('😀'.repeat(MAXIMUM_MESSAGE_LENGTH));
    assert.equal(await ann.page.getByRole('button', { name: 'Send' }).isEnabled(), true);

    await box.fill('😀'.repeat(MAXIMUM_MESSAGE_LENGTH + 1));
    assert.match((await counter.textContent()) ?? '', /1 too many/);
    assert.equal(await ann.page.getByRole('button', { name: 'Send' }).isEnabled(), false);
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
  });

  it('shows message text as text, never as markup', async () => {
    const ann = await room.user('Ann', 'user');
    const bob = await room.user('Bob', 'user');
    const hostile = '<img src=x onerror="document.title=\'owned\'"><b>bold?</b>';

    await sendAndSee(ann, hostile);

    await messageItem(bob.page, hostile).waitFor();
    assert.equal(await messageList(bob.page).locator('img, b').count(), 0);
    assert.notEqual(await bob.page.title(), 'owned');
  });

  it('can be used with the keyboard alone, in a sensible order', async () => {
    const context = await room.stack.browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    room.track({ name: 'Kim', context, page, problems: [] });
    const focused = (): Promise<string | undefined> => page.evaluate(() => document.activeElement?.id);
    await page.goto(room.pageUrl);
    await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':enabled')).waitFor();

    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'name');
    await page.keyboard.type('Kim');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'role');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'signin-button');
    await page.keyboard.press('Enter');
    await connected(page);

    // Once connected, focus lands in the message box, ready to type.
    await page.locator('#message:focus').waitFor();
    await page.keyboard.type('typed with keys only');
    await page.keyboard.press('Enter');
    await messageItem(page, 'typed with keys only').waitFor();
  });
});
