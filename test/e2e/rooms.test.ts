/**
 * Rooms on the demo page in a real browser: an admin creates a private room, a second user in their
 * own browser context neither sees it nor gets a chat token for it until the owner adds them, and
 * then chats in it; public rooms are joined from the list. The real stack (demo-stack.ts) runs
 * behind it on ephemeral ports. Needs `npm run build` first.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateRoomCommand } from '@aws-sdk/client-ivschat';
import { formatArn } from '../../shared/ivs/arn.js';
import {
  closeUser,
  connected,
  messageItem,
  openChat,
  refreshRooms,
  roomEntry,
  roomList,
  sendAndSee,
  userIdOf,
  type ChatUser,
  type DemoRole,
} from './chat-page.js';
import { ROOT, startDemoStack, type DemoStack } from './demo-stack.js';

/** Wide enough for the rooms panel to sit beside the chat. */
const WIDE = { width: 1100, height: 760 };
const LOBBY = 'e2e-lobby';

describe('rooms on the chat demo page', () => {
  let stack: DemoStack | undefined;
  let pageUrl = '';
  const users: ChatUser[] = [];

  async function user(name: string, role: DemoRole): Promise<ChatUser> {
    if (!stack) throw new Error('stack not started');
    const opened = await openChat(stack.browser, pageUrl, name, role, WIDE);
    users.push(opened);
    return opened;
  }

  /** Fills the page's "Create a room" form and waits until the page is connected to the new room. */
  async function createRoom(owner: ChatUser, name: string, privacy: 'public' | 'private'): Promise<string> {
    await owner.page.getByLabel('Room name').fill(name);
    await owner.page.getByLabel('Private (members only)').setChecked(privacy === 'private');
    await owner.page.getByRole('button', { name: 'Create room' }).click();
    const entry = roomEntry(roomList(owner.page, 'My rooms'), name);
    // The new room is listed as the open one.
    await entry.locator('button[aria-current="true"]').waitFor();
    await connected(owner.page);
    const id = await entry.getAttribute('data-room-id');
    if (!stack || id === null) throw new Error('the created room has no id on the page');
    return formatArn({
      partition: 'aws',
      region: 'us-east-1',
      accountId: stack.emulator.accountId,
      resourceType: 'room',
      id,
    });
  }

  /** Asks the service for a chat token as this page's user, from inside their page. */
  async function tokenAnswer(
    chatUser: ChatUser,
    roomArn: string,
  ): Promise<{ status: number; code: unknown }> {
    const userId = await userIdOf(chatUser.page);
    return chatUser.page.evaluate(
      async ({ userId: id, roomArn: arn }) => {
        const login = await fetch('/v1/dev/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId: id, roles: ['user'] }),
        });
        const { idToken } = (await login.json()) as { idToken: string };
        const answer = await fetch('/v1/chat-tokens', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${idToken}` },
          body: JSON.stringify({ roomIdentifier: arn }),
        });
        const body = (await answer.json()) as { code?: unknown };
        return { status: answer.status, code: body.code };
      },
      { userId, roomArn },
    );
  }

  before(async () => {
    stack = await startDemoStack();
    // The configured room is made outside the API, as `npm start` does: the service lists it as public.
    const lobby = await stack.ivs.send(new CreateRoomCommand({ name: LOBBY }));
    const service = await stack.serveRoom({ arn: lobby.arn ?? '', maximumMessageLength: 500 });
    pageUrl = `${service.url}/`;
  });

  afterEach(async () => {
    for (const opened of users.splice(0)) await closeUser(opened).catch(() => undefined);
  });

  after(async () => {
    for (const opened of users.splice(0)) await closeUser(opened).catch(() => undefined);
    await stack?.close();
  });

  it('keeps a private room from a non-member until its owner adds them, then lets them chat in it', async () => {
    // Prepare: Ann (admin) creates a private room on the page; Bob is a plain user.
    const ann = await user('Ann', 'admin');
    const bob = await user('Bob', 'user');
    const secret = 'ann-secret';
    const secretArn = await createRoom(ann, secret, 'private');
    await sendAndSee(ann, 'members only in here');
    assert.match(
      (await roomEntry(roomList(ann.page, 'My rooms'), secret).textContent()) ?? '',
      /private · owner/,
    );

    // Assess: Bob is offered no room creation, does not see the room, and gets no token for it.
    assert.equal(await bob.page.getByRole('button', { name: 'Create room' }).isVisible(), false);
    await refreshRooms(bob.page);
    await roomEntry(roomList(bob.page, 'Public rooms'), LOBBY).waitFor();
    assert.equal(await bob.page.getByRole('button', { name: secret, exact: true }).count(), 0);
    assert.deepEqual(await tokenAnswer(bob, secretArn), { status: 403, code: 'not_a_member' });

    // Act: Ann adds Bob by his user id.
    const bobId = await userIdOf(bob.page);
    await ann.page.getByLabel('User id').fill(bobId);
    await ann.page.getByRole('button', { name: 'Add member' }).click();
    await ann.page.getByText(`Added ${bobId} to ${secret}.`).waitFor();

    // Assess: Bob now sees the room as a member, opens it, and the two chat there.
    await refreshRooms(bob.page);
    const entry = roomEntry(roomList(bob.page, 'My rooms'), secret);
    assert.match((await entry.textContent()) ?? '', /private · member/);
    await entry.getByRole('button', { name: secret, exact: true }).click();
    await bob.page.locator('#room-title', { hasText: secret }).waitFor();
    await connected(bob.page);
    await sendAndSee(bob, 'thanks for adding me, Ann');
    await messageItem(ann.page, 'thanks for adding me, Ann').waitFor();
    await sendAndSee(ann, 'welcome, Bob');
    await messageItem(bob.page, 'welcome, Bob').waitFor();
    assert.deepEqual([...ann.problems, ...bob.problems], []);

    // The artifact: both users' screens, one above the other (test-results/ is ignored by git).
    const shots = await Promise.all([ann.page.screenshot(), bob.page.screenshot()]);
    const sheet = await ann.context.newPage();
    await sheet.setViewportSize({ width: 1120, height: 1560 });
    await sheet.setContent(
      `<body style="margin:0;padding:10px;display:grid;gap:20px;background:#444">${shots
        .map((shot) => `<img alt="" src="data:image/png;base64,${shot.toString('base64')}">`)
        .join('')}</body>`,
    );
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await sheet.screenshot({ path: join(ROOT, 'test-results/chat-private-room.png'), fullPage: true });
    await sheet.close();
  });

  it('lets a user join a public room from the list and chat in it', async () => {
    const ann = await user('Ann', 'admin');
    const bob = await user('Bob', 'user');
    const open = 'ann-open';
    await createRoom(ann, open, 'public');

    await refreshRooms(bob.page);
    await roomList(bob.page, 'Public rooms')
      .getByRole('button', { name: `Join ${open}` })
      .click();

    // Joined: the room moves to Bob's rooms as a member, and the chat switches to it.
    const entry = roomEntry(roomList(bob.page, 'My rooms'), open);
    await entry.waitFor();
    assert.match((await entry.textContent()) ?? '', /public · member/);
    await bob.page.locator('#room-title', { hasText: open }).waitFor();
    await connected(bob.page);
    await sendAndSee(bob, 'joined the open room');
    await messageItem(ann.page, 'joined the open room').waitFor();
  });
});
