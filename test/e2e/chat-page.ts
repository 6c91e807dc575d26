/**
 * Page helpers for the browser test: what a person does on the demo page, written once so each test
 * reads as behaviour. Every wait is one of Playwright's auto-waiting locators (no sleeps).
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { formatUntil } from '../../services/chat-demo/src/moderation.js';

/** Generous: the test must pass on a loaded 2-core CI machine shared with other work. */
export const WAIT_MS = 30_000;

export type DemoRole = 'viewer' | 'user' | 'moderator' | 'admin';

export interface ChatUser {
  readonly name: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught page errors and CSP violations seen so far: both must stay empty. */
  readonly problems: string[];
}

export async function openChat(
  browser: Browser,
  url: string,
  name: string,
  role: DemoRole,
  viewport: { width: number; height: number } = { width: 480, height: 760 },
  options: { fakeClock?: boolean } = {},
): Promise<ChatUser> {
  // The page's time zone is the test process's (TZ), so a test can say what the page shows.
  const context = await browser.newContext({ viewport, timezoneId: TEST_TIME_ZONE });
  const page = await context.newPage();
  // A clock that flows as usual but can be moved ahead (page.clock.fastForward) to fire the page's
  // timers. Under faketime (see nodeClockShifted) it starts at this process's time, so the page and
  // the servers agree on the date, as they would on one machine without faketime.
  if (options.fakeClock === true || nodeClockShifted()) await page.clock.install({ time: Date.now() });
  page.setDefaultTimeout(WAIT_MS);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      problems.push(`CSP: ${message.text()}`);
    }
  });
  await page.goto(url);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Role').selectOption(role);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await connected(page);
  return { name, context, page, problems };
}

/** The time zone this process (and so the servers in it) formats local times in. */
export const TEST_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * Whether libfaketime moves this process's clock, as in
 * `faketime -f '@2026-12-31 23:58:00' node scripts/run-tests.mjs test/e2e/`: then the browser is
 * started without it (browserEnv) and each page's clock is set to this process's time.
 */
export function nodeClockShifted(): boolean {
  return process.env.FAKETIME !== undefined;
}

/** The environment for the browser: this one without libfaketime, which Chromium does not run under. */
export function browserEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== 'LD_PRELOAD' && !key.startsWith('FAKETIME')) env[key] = value;
  }
  return env;
}

/**
 * Every way the page may write the end of a restriction of `minutes` imposed between `from` and `to`
 * (epoch ms): "14:05" on the same day, "3 Feb 14:05" on another, with the year in another year
 * (formatUntil). Which one it is depends on the hour, the date and the time zone; a test compares
 * against this set, never against one of the forms.
 */
export function possibleEnds(minutes: number, from: number, to: number): Set<string> {
  const ends = new Set<string>();
  for (let imposed = from - 1000; imposed <= to + 1000; imposed += 1000) {
    const until = new Date(imposed + minutes * 60_000);
    for (const now of [from, to]) ends.add(formatUntil(until, new Date(now)));
  }
  return ends;
}

/** What formatUntil writes, in any of its forms: "14:05", "3 Feb 14:05", "3 Feb 2027 14:05". */
export const END_TIME = String.raw`(?:\d{1,2} [A-Z][a-z]{2} (?:\d{4} )?)?\d{2}:\d{2}`;

export async function connected(page: Page): Promise<void> {
  await page.locator('#status[data-state="connected"]').waitFor();
}

export function messageList(page: Page): Locator {
  return page.getByRole('list', { name: 'Messages' });
}

/** The list item of the message whose text is exactly `text`. */
export function messageItem(page: Page, text: string): Locator {
  return messageList(page)
    .locator('li.message')
    .filter({ has: page.locator('.text', { hasText: new RegExp(`^${escapeRegExp(text)}$`) }) });
}

export async function send(user: ChatUser, text: string): Promise<void> {
  const box = user.page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

/** Sends and waits until the sender sees its own message delivered. */
export async function sendAndSee(user: ChatUser, text: string): Promise<void> {
  await send(user, text);
  await messageItem(user.page, text).waitFor();
}

/** "My rooms" or "Public rooms" in the rooms panel. */
export function roomList(page: Page, name: 'My rooms' | 'Public rooms'): Locator {
  return page.getByRole('list', { name, exact: true });
}

/** The room entry named exactly `name` in one of the lists. */
export function roomEntry(list: Locator, name: string): Locator {
  return list.getByRole('listitem').filter({ has: list.page().getByRole('button', { name, exact: true }) });
}

/** Refreshes the room lists and waits until they are read. */
export async function refreshRooms(page: Page): Promise<void> {
  await page.locator('#rooms[aria-busy="false"]').waitFor();
  // The click handler marks the panel busy before it returns, so the wait below sees the new read.
  await page.getByRole('button', { name: 'Refresh', exact: true }).click();
  await page.locator('#rooms[aria-busy="false"]').waitFor();
}

/** The dev-login user id the page shows (others need it to add this user to a room). */
export async function userIdOf(page: Page): Promise<string> {
  return (await page.locator('#user-id').textContent()) ?? '';
}

export function feedback(page: Page): Locator {
  return page.locator('#feedback');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function closeUser(user: ChatUser | undefined): Promise<void> {
  await user?.context.close();
}
