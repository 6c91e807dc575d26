/**
 * One room on the demo page for a browser test file: called inside its `describe`, it starts the
 * demo stack before the tests (demo-stack.ts), creates the room with the review Lambda attached,
 * serves the page for it, closes each test's users after the test and everything after the file.
 * Several files share it, so that each stays short and the gate's runner can run them side by side.
 */
import { after, afterEach, before, beforeEach } from 'node:test';
import { CreateRoomCommand } from '@aws-sdk/client-ivschat';
import { closeUser, openChat, type ChatUser, type DemoRole } from './chat-page.js';
import { REVIEW_ENV, startDemoStack, type DemoStack } from './demo-stack.js';

const REVIEW_HANDLER = 'arn:aws:lambda:us-east-1:123456789012:function:message-review';

export interface ChatRoomOptions {
  readonly name: string;
  readonly maximumMessageLength: number;
  /** The review Lambda's REVIEW_POLICY; its bundled default when unset. */
  readonly reviewPolicy?: unknown;
  readonly viewport?: { width: number; height: number };
  /**
   * A new room (and page) for each test, for files whose tests leave standing or modes behind (a ban,
   * a timeout, slow mode): a test that fails half-way then cannot break the next one.
   */
  readonly roomPerTest?: boolean;
}

export interface ChatRoom {
  readonly stack: DemoStack;
  readonly roomArn: string;
  readonly pageUrl: string;
  /** Opens the page signed in as `name` with `role`; closed after the test. */
  user(name: string, role: DemoRole, options?: { fakeClock?: boolean }): Promise<ChatUser>;
  /** Closes `user` after the test, like the users `user` opens. */
  track(user: ChatUser): void;
}

export function chatRoom(options: ChatRoomOptions): ChatRoom {
  let stack: DemoStack | undefined;
  let roomArn = '';
  let pageUrl = '';
  const users: ChatUser[] = [];
  const started = (): DemoStack => {
    if (!stack) throw new Error('stack not started');
    return stack;
  };

  let closeService: (() => Promise<void>) | undefined;

  /** Creates the room with the review Lambda attached and serves the page for it. */
  async function openRoom(): Promise<void> {
    const room = await started().ivs.send(
      new CreateRoomCommand({
        name: options.name,
        maximumMessageLength: options.maximumMessageLength,
        messageReviewHandler: { uri: REVIEW_HANDLER, fallbackResult: 'ALLOW' },
      }),
    );
    roomArn = room.arn ?? '';
    const service = await started().serveRoom({
      arn: roomArn,
      maximumMessageLength: options.maximumMessageLength,
    });
    closeService = () => service.close();
    pageUrl = `${service.url}/`;
  }

  before(async () => {
    stack = await startDemoStack({
      ...(options.reviewPolicy === undefined
        ? {}
        : {
            functions: {
              'message-review': {
                module: 'dist/message-review/index.js',
                env: { ...REVIEW_ENV, REVIEW_POLICY: JSON.stringify(options.reviewPolicy) },
              },
            },
          }),
    });
    if (options.roomPerTest !== true) await openRoom();
  });

  if (options.roomPerTest === true) beforeEach(openRoom);

  afterEach(async () => {
    // Each test's users leave with it: a 2-core machine should not carry a dozen idle tabs.
    for (const opened of users.splice(0)) await closeUser(opened).catch(() => undefined);
    if (options.roomPerTest === true) await closeService?.().catch(() => undefined);
  });

  after(async () => {
    // Whatever failed above, everything started here is closed so the test process exits.
    for (const opened of users.splice(0)) await closeUser(opened).catch(() => undefined);
    await stack?.close();
  });

  return {
    get stack() {
      return started();
    },
    get roomArn() {
      return roomArn;
    },
    get pageUrl() {
      return pageUrl;
    },
    async user(name, role, userOptions = {}) {
      const opened = await openChat(started().browser, pageUrl, name, role, options.viewport, userOptions);
      users.push(opened);
      return opened;
    },
    track(user) {
      users.push(user);
    },
  };
}
