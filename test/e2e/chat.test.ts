/**
 * The demo page in a real browser (Debian's chromium driven by playwright-core) against the real
 * stack started in-process on ephemeral ports (demo-stack.ts): the emulator with the built review
 * Lambda attached to the room, dynalite, the token service serving the built page, and the real
 * @aws-sdk/client-ivschat to set up the room. Needs `npm run build` first.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateRoomCommand, SendEventCommand } from '@aws-sdk/client-ivschat';
import {
  closeUser,
  connected,
  feedback,
  messageItem,
  messageList,
  openChat,
  send,
  sendAndSee,
  WAIT_MS,
  type ChatUser,
} from './chat-page.js';
import { ROOT, startDemoStack, type DemoStack } from './demo-stack.js';

const REVIEW_HANDLER = 'arn:aws:lambda:us-east-1:123456789012:function:message-review';
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

describe('the chat demo page in a real browser', () => {
  let stack: DemoStack | undefined;
  let roomArn = '';
  let pageUrl = '';
  const users: ChatUser[] = [];

  async function user(
    name: string,
    role: 'viewer' | 'user' | 'moderator',
    options: { fakeClock?: boolean } = {},
  ): Promise<ChatUser> {
    if (!stack) throw new Error('stack not started');
    const opened = await openChat(stack.browser, pageUrl, name, role, undefined, options);
    users.push(opened);
    return opened;
  }

  before(async () => {
    stack = await startDemoStack({
      // IVS gives a review 200 ms; on a loaded 2-core CI machine a worker can miss that and the room's
      // fallback would deliver a message the policy refuses. These tests are about the page, not timing.
      reviewDeadlineMs: 10_000,
      functions: {
        'message-review': {
          module: 'dist/message-review/index.js',
          env: { REVIEW_POLICY: JSON.stringify(REVIEW_POLICY), LOG_LEVEL: 'warn' },
        },
      },
    });
    const room = await stack.ivs.send(
      new CreateRoomCommand({
        name: 'e2e-demo',
        maximumMessageLength: MAXIMUM_MESSAGE_LENGTH,
        messageReviewHandler: { uri: REVIEW_HANDLER, fallbackResult: 'ALLOW' },
      }),
    );
    roomArn = room.arn ?? '';
    const service = await stack.serveRoom({ arn: roomArn, maximumMessageLength: MAXIMUM_MESSAGE_LENGTH });
    pageUrl = `${service.url}/`;
  });

  afterEach(async () => {
    // Each test's users leave with it: a 2-core machine should not carry a dozen idle tabs.
    for (const opened of users.splice(0)) await closeUser(opened).catch(() => undefined);
  });

  after(async () => {
    // Whatever failed above, everything started here is closed so the test process exits.
    for (const opened of users.splice(0)) await closeUser(opened).catch(() => undefined);
    await stack?.close();
  });

  it('delivers a message from one user to another, under the sender’s display name', async () => {
    // Prepare: a user and a moderator, so the artifact shows both views of the room.
    const ann = await user('Ann', 'user');
    const mia = await user('Mia', 'moderator');

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
    const ann = await user('Ann', 'user');
    const earlier = ['first of three', 'second of three', 'third of three'];
    for (const text of earlier) await sendAndSee(ann, text);

    // Act: Lea signs in later; then one more message arrives live.
    const lea = await user('Lea', 'user', { fakeClock: true });
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
    const ann = await user('Ann', 'user');
    const bob = await user('Bob', 'user');
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
    const ann = await user('Ann', 'user');
    const bob = await user('Bob', 'user');
    const masked = `write to ${'*'.repeat(MASKED_EMAIL.length)} today`;

    await send(ann, `write to ${MASKED_EMAIL} today`);

    await messageItem(bob.page, masked).waitFor();
    await messageItem(ann.page, masked).waitFor();
    assert.equal(await messageList(bob.page).getByText(MASKED_EMAIL).count(), 0);
  });

  it('removes a message for everyone when a moderator deletes it', async () => {
    const mod = await user('Mia', 'moderator');
    const bob = await user('Bob', 'user');
    await sendAndSee(bob, 'a message to be deleted');
    const onModerator = messageItem(mod.page, 'a message to be deleted');
    await onModerator.waitFor();

    await onModerator.getByRole('button', { name: 'Delete message from Bob' }).click();

    await messageItem(bob.page, 'a message to be deleted').waitFor({ state: 'detached' });
    await onModerator.waitFor({ state: 'detached' });
    await feedback(bob.page).filter({ hasText: 'was deleted' }).waitFor();
  });

  it('disconnects a user when a moderator asks, and tells the room', async () => {
    const mod = await user('Mia', 'moderator');
    const bob = await user('Bob', 'user');
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
    const ann = await user('Ann', 'user');
    await sendAndSee(ann, 'no buttons here');

    assert.equal(await messageItem(ann.page, 'no buttons here').getByRole('button').count(), 0);
  });

  it('shows a viewer the chat without a send box', async () => {
    const ann = await user('Ann', 'user');
    const vic = await user('Vic', 'viewer');

    await sendAndSee(ann, 'for the viewers');

    await messageItem(vic.page, 'for the viewers').waitFor();
    assert.equal(await vic.page.getByRole('textbox', { name: 'Message' }).isVisible(), false);
    assert.equal(await vic.page.getByRole('button', { name: 'Send' }).isVisible(), false);
    assert.equal(await vic.page.getByText('you can read the chat').isVisible(), true);
  });

  it('shows an application event sent with SendEvent', async () => {
    const ann = await user('Ann', 'user');

    await stack?.ivs.send(
      new SendEventCommand({
        roomIdentifier: roomArn,
        eventName: 'app:announcement',
        attributes: { text: 'The stream starts in 5 minutes' },
      }),
    );

    const notice = messageList(ann.page).locator('li.notice', { hasText: 'app:announcement' });
    await notice.waitFor();
    assert.match((await notice.textContent()) ?? '', /The stream starts in 5 minutes/);
  });

  it('counts code points against the room’s limit and refuses to send past it', async () => {
    const ann = await user('Ann', 'user');
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
    const ann = await user('Ann', 'user');
    const bob = await user('Bob', 'user');
    const hostile = '<img src=x onerror="document.title=\'owned\'"><b>bold?</b>';

    await sendAndSee(ann, hostile);

    await messageItem(bob.page, hostile).waitFor();
    assert.equal(await messageList(bob.page).locator('img, b').count(), 0);
    assert.notEqual(await bob.page.title(), 'owned');
  });
  it('can be used with the keyboard alone, in a sensible order', async () => {
    if (!stack) throw new Error('stack not started');
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    users.push({ name: 'Kim', context, page, problems: [] });
    const focused = (): Promise<string | undefined> => page.evaluate(() => document.activeElement?.id);
    await page.goto(pageUrl);
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

  it('tells the sender to slow down when the room’s rate limit refuses a message (429)', async () => {
    if (!stack) throw new Error('stack not started');
    // A room of its own at 1 message per second, so no other test shares its budget.
    const slow = await stack.ivs.send(
      new CreateRoomCommand({ name: 'e2e-slow', maximumMessageRatePerSecond: 1 }),
    );
    const slowService = await stack.serveRoom({ arn: slow.arn ?? '', maximumMessageLength: 500 });
    try {
      const ann = await openChat(stack.browser, `${slowService.url}/`, 'Ann', 'user');
      users.push(ann);
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
