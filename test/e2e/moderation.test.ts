/**
 * Moderation on the demo page in a real browser: a moderator (here an admin, who moderates every
 * room) times out and bans users from the message list, sees them in the bans-and-timeouts panel and
 * lifts them there; the user's page says what happened. Bans, a room's own moderators and deletions
 * here; timeouts in moderation-timeouts.test.ts. Behind it the real stack (demo-stack.ts): the
 * token service records the restriction in dynalite, and the built review Lambda, attached to the
 * room in the emulator, reads it on every message. Needs `npm run build` first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import {
  connected,
  END_TIME,
  feedback,
  messageItem,
  possibleEnds,
  refreshRooms,
  roomEntry,
  roomList,
  send,
  sendAndSee,
  userIdOf,
} from './chat-page.js';
import { chatRoom } from './chat-room.js';
import { ROOT } from './demo-stack.js';

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

describe('moderation on the chat demo page: bans, room moderators, deletions', () => {
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

  it('bans a user: their page says they were banned, until when and why; lifted, they reconnect', async () => {
    const mia = await room.user('Mia', 'admin');
    const bob = await room.user('Bob', 'user');
    await sendAndSee(bob, 'buy my stuff');
    const onModerator = messageItem(mia.page, 'buy my stuff');
    await onModerator.waitFor();

    const imposedFrom = Date.now();
    await restrict(onModerator, 'Ban', 'Bob', '1 hour', 'spamming links');

    // Bob is put out at once, and his page tells him why.
    const standing = bob.page.locator('#standing[data-kind="ban"]');
    await standing.waitFor();
    assertEndIn(
      await standing.textContent(),
      new RegExp(`^You were banned from this room until (${END_TIME})\\. Reason: spamming links$`),
      possibleEnds(60, imposedFrom, Date.now()),
    );
    await bob.page.locator('#status[data-state="error"]').waitFor();
    assert.equal(await bob.page.getByRole('textbox', { name: 'Message' }).isVisible(), false);
    const banned = mia.page.getByRole('list', { name: 'Banned' }).getByRole('listitem');
    await banned.filter({ hasText: 'Bob' }).filter({ hasText: 'spamming links' }).waitFor();

    // The artifact: the moderator's and the banned user's screens (test-results/ is ignored by git).
    const shots = await Promise.all([
      mia.page.screenshot({ fullPage: true }),
      bob.page.screenshot({ fullPage: true }),
    ]);
    const sheet = await mia.context.newPage();
    await sheet.setViewportSize({ width: 1120, height: 1800 });
    await sheet.setContent(
      `<body style="margin:0;padding:10px;display:grid;gap:20px;background:#444">${shots
        .map((shot) => `<img alt="" src="data:image/png;base64,${shot.toString('base64')}">`)
        .join('')}</body>`,
    );
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await sheet.screenshot({ path: join(ROOT, 'test-results/chat-moderation.png'), fullPage: true });
    await sheet.close();

    // Lifted: Bob's Reconnect gets a token again.
    await mia.page.getByRole('button', { name: 'Lift the ban of Bob' }).click();
    await mia.page.getByText('Nobody is banned.').waitFor();
    await bob.page.getByRole('button', { name: 'Reconnect' }).click();
    await connected(bob.page);
    await standing.waitFor({ state: 'hidden' });
    await sendAndSee(bob, 'sorry about that');
    await messageItem(mia.page, 'sorry about that').waitFor();
  });

  it('gives a room’s moderator the tools in that room, but not over its owner', async () => {
    // Prepare: Ann (admin) creates a public room on the page and makes Bob, a plain user, its moderator.
    const ann = await room.user('Ann', 'admin');
    const bob = await room.user('Bob', 'user');
    const cat = await room.user('Cat', 'user');
    await ann.page.getByLabel('Room name').fill('e2e-mods');
    await ann.page.getByRole('button', { name: 'Create room' }).click();
    const created = roomEntry(roomList(ann.page, 'My rooms'), 'e2e-mods');
    await created.locator('button[aria-current="true"]').waitFor();
    await connected(ann.page);
    const roomId = (await created.getAttribute('data-room-id')) ?? '';
    const bobId = await userIdOf(bob.page);
    const granted = await ann.page.evaluate(
      async ({ room, member }) => {
        const login = await fetch('/v1/dev/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId: 'e2e-admin', roles: ['admin'] }),
        });
        const { idToken } = (await login.json()) as { idToken: string };
        const answer = await fetch(`/v1/rooms/${room}/members/${member}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${idToken}` },
          body: JSON.stringify({ role: 'moderator' }),
        });
        return answer.status;
      },
      { room: roomId, member: bobId },
    );
    assert.equal(granted, 201);
    // Bob's own room (the configured one) offers him nothing to moderate.
    assert.equal(await bob.page.getByRole('heading', { name: 'Bans and timeouts' }).isVisible(), false);

    // Act: Bob opens the room from his list; Cat joins it; both Ann and Cat speak.
    await refreshRooms(bob.page);
    const entry = roomEntry(roomList(bob.page, 'My rooms'), 'e2e-mods');
    assert.match((await entry.textContent()) ?? '', /public · moderator/);
    await entry.getByRole('button', { name: 'e2e-mods', exact: true }).click();
    await bob.page.locator('#room-title', { hasText: 'e2e-mods' }).waitFor();
    await connected(bob.page);
    await refreshRooms(cat.page);
    await roomList(cat.page, 'Public rooms').getByRole('button', { name: 'Join e2e-mods' }).click();
    await cat.page.locator('#room-title', { hasText: 'e2e-mods' }).waitFor();
    await connected(cat.page);
    await sendAndSee(ann, 'owner speaking');
    await sendAndSee(cat, 'member speaking');

    // Assess: Bob moderates Cat, not the owner; his timeout holds.
    await bob.page.getByRole('heading', { name: 'Bans and timeouts' }).waitFor();
    const fromOwner = messageItem(bob.page, 'owner speaking');
    await fromOwner.waitFor();
    assert.equal(await fromOwner.getByRole('button', { name: 'Ban Ann', exact: true }).count(), 0);
    await restrict(messageItem(bob.page, 'member speaking'), 'Time out', 'Cat', '1 minute', 'test');
    const listed = bob.page.getByRole('list', { name: 'Timed out' }).getByRole('listitem');
    await listed.filter({ hasText: 'Cat' }).waitFor();
    await send(cat, 'muted?');
    await feedback(cat.page).filter({ hasText: 'Not sent: You are timed out until' }).waitFor();
  });

  it('deletes a message through the service for a room moderator', async () => {
    const mia = await room.user('Mia', 'admin');
    const bob = await room.user('Bob', 'user');
    await sendAndSee(bob, 'delete me please');
    const onModerator = messageItem(mia.page, 'delete me please');
    await onModerator.waitFor();

    await onModerator.getByRole('button', { name: 'Delete message from Bob' }).click();

    await messageItem(bob.page, 'delete me please').waitFor({ state: 'detached' });
    await onModerator.waitFor({ state: 'detached' });
  });
});
