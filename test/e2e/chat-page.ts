/**
 * Page helpers for the browser test: what a person does on the demo page, written once so each test
 * reads as behaviour. Every wait is one of Playwright's auto-waiting locators (no sleeps).
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

/** Generous: the test must pass on a loaded 2-core CI machine shared with other work. */
export const WAIT_MS = 30_000;

export type DemoRole = 'viewer' | 'user' | 'moderator';

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
): Promise<ChatUser> {
  const context = await browser.newContext({ viewport: { width: 480, height: 760 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      problems.push(`CSP: ${message.text()}`);
    }
  });
  await page.goto(url);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Role').selectOption(role);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await connected(page);
  return { name, context, page, problems };
}

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

export function feedback(page: Page): Locator {
  return page.locator('#feedback');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function closeUser(user: ChatUser | undefined): Promise<void> {
  await user?.context.close();
}
