import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createLogger } from '../../../shared/logger.js';
import { parseReviewAnswer } from '../../../shared/review/contract.js';
import { loadConfig, type Environment } from '../../../lambdas/message-review/config.js';
import {
  createReviewHandler,
  FALLBACK_REASON,
  RULES_ATTRIBUTE,
  type HandlerDependencies,
} from '../../../lambdas/message-review/review-handler.js';
import { reviewEvent } from './helpers.js';

interface Harness {
  readonly handler: ReturnType<typeof createReviewHandler>;
  readonly lines: Record<string, unknown>[];
}

function harness(env: Environment, overrides: Partial<HandlerDependencies> = {}): Harness {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'debug',
    write: (line) => {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === 'object' && parsed !== null) lines.push({ ...parsed });
    },
  });
  return { handler: createReviewHandler({ config: loadConfig(env), logger, ...overrides }), lines };
}

const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 3000 };

describe('review handler: answers', () => {
  it('allows a clean message and echoes its attributes', async () => {
    const { handler } = harness({});

    const answer = await handler(reviewEvent('hello there'), context);

    assert.deepEqual(answer, {
      ReviewResult: 'ALLOW',
      Content: 'hello there',
      Attributes: { client: 'web' },
    });
  });

  it('denies with a short, user-presentable reason', async () => {
    const { handler } = harness({ REVIEW_POLICY: '{"blockedTermAction":"DENY"}' });

    const answer = await handler(reviewEvent('you bastard'), context);

    assert.deepEqual(answer, {
      ReviewResult: 'DENY',
      Attributes: { Reason: 'Your message contains a word that is not allowed here.' },
    });
  });

  it('returns the rules that fired only when the policy asks', async () => {
    const quiet = harness({});
    const reporting = harness({ REVIEW_POLICY: '{"reportRules":true}' });

    const withoutRules = await quiet.handler(reviewEvent('you bastard'), context);
    const withRules = await reporting.handler(reviewEvent('you bastard'), context);

    assert.equal(withoutRules.Attributes?.[RULES_ATTRIBUTE], undefined);
    assert.equal(withRules.Attributes?.[RULES_ATTRIBUTE], 'blockedTerms');
  });

  it('leaves the rules attribute out when it would push attributes past 1 KB', async () => {
    const { handler } = harness({ REVIEW_POLICY: '{"reportRules":true}' });

    const answer = await handler(
      reviewEvent('you bastard', { Attributes: { big: 'x'.repeat(1015) } }),
      context,
    );

    assert.ok(parseReviewAnswer(answer).ok);
    assert.equal(answer.Attributes?.[RULES_ATTRIBUTE], undefined);
  });

  it('lets a trusted role from Sender.Attributes skip the rules', async () => {
    const { handler } = harness({ REVIEW_POLICY: '{"trustedRoles":["moderator"]}' });
    const event = reviewEvent('that shit', {
      Sender: { UserId: 'm-1', Attributes: { role: 'moderator' }, Ip: '203.0.113.9' },
    });

    const answer = await handler(event, context);

    assert.equal(answer.Content, 'that shit');
  });

  it('ignores a role claimed in the client-set message attributes', async () => {
    const { handler } = harness({ REVIEW_POLICY: '{"trustedRoles":["moderator"]}' });

    const answer = await handler(reviewEvent('that shit', { Attributes: { role: 'moderator' } }), context);

    assert.equal(answer.Content, 'that ****');
  });

  it('returns a fresh answer each time (no shared response object)', async () => {
    const { handler } = harness({});
    const first = await handler(reviewEvent('hello'), context);
    Object.assign(first.Attributes ?? {}, { tampered: 'yes' });

    const second = await handler(reviewEvent('hello'), context);

    assert.deepEqual(second.Attributes, { client: 'web' });
  });

  it('answers concurrent invocations independently', async () => {
    const { handler } = harness({});
    const texts = Array.from({ length: 40 }, (_, index) =>
      index % 2 === 0 ? `clean ${index}` : `shit ${index}`,
    );

    const answers = await Promise.all(texts.map((text) => handler(reviewEvent(text), context)));

    assert.deepEqual(
      answers.map((answer) => answer.Content),
      texts.map((text) => text.replace('shit', '****')),
    );
  });
});

describe('review handler: fallback', () => {
  it('answers FALLBACK_RESULT ALLOW with the original content when the policy is invalid', async () => {
    const { handler, lines } = harness({ REVIEW_POLICY: '{"blockedTermAction":"NOPE"}' });

    const answer = await handler(reviewEvent('you bastard'), context);

    assert.deepEqual(answer, {
      ReviewResult: 'ALLOW',
      Content: 'you bastard',
      Attributes: { client: 'web' },
    });
    assert.equal(lines.at(-1)?.cause, 'configuration');
  });

  it('answers FALLBACK_RESULT DENY with a reason when the policy is invalid', async () => {
    const { handler } = harness({ REVIEW_POLICY: '{oops', FALLBACK_RESULT: 'DENY' });

    const answer = await handler(reviewEvent('hello'), context);

    assert.deepEqual(answer, { ReviewResult: 'DENY', Attributes: { Reason: FALLBACK_REASON } });
  });

  it('answers DENY for every message when FALLBACK_RESULT itself is invalid', async () => {
    const { handler } = harness({ FALLBACK_RESULT: 'MAYBE' });

    const answer = await handler(reviewEvent('hello'), context);

    assert.equal(answer.ReviewResult, 'DENY');
  });

  it('answers the fallback for a malformed event', async () => {
    const { handler, lines } = harness({ FALLBACK_RESULT: 'DENY' });

    const answer = await handler({ Content: 'hello', MessageId: 5 }, context);

    assert.equal(answer.ReviewResult, 'DENY');
    assert.equal(lines.at(-1)?.cause, 'malformed-event');
  });

  it('degrades a fallback ALLOW to DENY when there is no deliverable content', async () => {
    const { handler } = harness({});

    const answers = await Promise.all(
      [null, 'text', { Content: '' }, { Content: 'x'.repeat(501) }].map((e) => handler(e)),
    );

    assert.deepEqual(
      answers.map((answer) => answer.ReviewResult),
      ['DENY', 'DENY', 'DENY', 'DENY'],
    );
  });

  it('answers its own decision when the rules overrun the budget, and counts it late (injected clock)', async () => {
    let clock = 0;
    const { handler, lines } = harness(
      { REVIEW_BUDGET_MS: '100', FALLBACK_RESULT: 'DENY' },
      { now: () => (clock += 120) },
    );

    const answer = await handler(reviewEvent('hello'), context);

    // Not the DENY fallback: IVS may still be waiting (the budget is under its 200 ms).
    assert.equal(answer.ReviewResult, 'ALLOW');
    const late = lines.find((line) => line.message === 'review answered past its budget');
    assert.equal(late?.LateAnswer, 1);
    assert.ok(JSON.stringify(late._aws).includes('"Name":"LateAnswer"'));
    assert.equal(
      lines.some((line) => line.message === 'review fell back'),
      false,
    );
  });

  it('counts each fallback as an embedded metric by cause', async () => {
    const { handler, lines } = harness({ REVIEW_POLICY: '{oops' });

    await handler(reviewEvent('hello'), context);

    const line = lines.at(-1) ?? {};
    assert.deepEqual([line.Fallback, line.Cause], [1, 'configuration']);
    assert.ok(JSON.stringify(line._aws).includes('"Name":"Fallback"'));
  });
});

describe('review handler: remote check', () => {
  let server: Server;
  let base = '';
  const pending = new Set<ServerResponse>();
  let aborted = 0;

  before(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const parsed: unknown = JSON.parse(body);
        const text =
          typeof parsed === 'object' && parsed !== null && 'content' in parsed ? String(parsed.content) : '';
        if (request.url === '/slow') {
          pending.add(response);
          response.on('close', () => {
            if (!response.writableEnded) aborted++;
            pending.delete(response);
          });
          return;
        }
        if (request.url === '/broken') {
          response.writeHead(500).end('{}');
          return;
        }
        const verdict = text.includes('scam')
          ? { result: 'DENY', reason: 'Looks like a scam.' }
          : { result: 'ALLOW' };
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(verdict));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    for (const response of pending) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const remote = (path: string, extra: Environment = {}): Harness =>
    harness({ REVIEW_POLICY: JSON.stringify({ remoteCheck: { url: `${base}${path}` } }), ...extra });

  /**
   * For tests of the remote verdict itself: a budget long enough that a loaded test machine (the
   * first fetch in a process sets up its HTTP stack) cannot turn the verdict into a fallback.
   * Budget exhaustion is asserted by the tests below with the real budget.
   */
  const remoteWithTime = (path: string, extra: Environment = {}): Harness => {
    const env = { REVIEW_POLICY: JSON.stringify({ remoteCheck: { url: `${base}${path}` } }), ...extra };
    return harness(env, { config: { ...loadConfig(env), budgetMs: 10_000 } });
  };

  it('allows what the remote check allows', async () => {
    const answer = await remoteWithTime('/check').handler(reviewEvent('hello'), context);

    assert.equal(answer.ReviewResult, 'ALLOW');
  });

  it('denies with the remote check reason', async () => {
    const answer = await remoteWithTime('/check').handler(reviewEvent('a scam offer'), context);

    assert.deepEqual(answer, { ReviewResult: 'DENY', Attributes: { Reason: 'Looks like a scam.' } });
  });

  it('asks again on a new connection when the endpoint closed the one it reused', async () => {
    // An endpoint of its own (fetch pools connections by origin, so the pool is this test's): the
    // first time a request comes on a connection that has carried one before, it closes that one and
    // every idle one, as an idle timeout does when the client has not yet seen it.
    const served = new WeakMap<Socket, number>();
    let dropped = 0;
    const closing = createServer((request, response) => {
      const count = (served.get(request.socket) ?? 0) + 1;
      served.set(request.socket, count);
      if (count > 1 && dropped === 0) {
        dropped++;
        closing.closeIdleConnections();
        request.socket.destroy();
        return;
      }
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const verdict = body.includes('scam')
          ? { result: 'DENY', reason: 'Looks like a scam.' }
          : { result: 'ALLOW' };
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(verdict));
      });
    });
    await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = closing.address() as AddressInfo;
      const env = {
        REVIEW_POLICY: JSON.stringify({ remoteCheck: { url: `http://127.0.0.1:${port}/check` } }),
      };
      const { handler, lines } = harness(env, { config: { ...loadConfig(env), budgetMs: 10_000 } });

      // Sequential requests: fetch keeps at most two connections for them, so the third reuses one.
      const answers = [];
      for (const text of ['hello', 'hi there', 'a scam offer'])
        answers.push(await handler(reviewEvent(text), context));

      assert.deepEqual(
        answers.map((answer) => answer.ReviewResult),
        ['ALLOW', 'ALLOW', 'DENY'],
      );
      assert.deepEqual(answers[2], { ReviewResult: 'DENY', Attributes: { Reason: 'Looks like a scam.' } });
      assert.equal(dropped, 1);
      assert.ok(!lines.some((line) => line.message === 'review fell back'), JSON.stringify(lines));
    } finally {
      closing.closeAllConnections();
      await new Promise((resolve) => closing.close(resolve));
    }
  });

  it('answers the fallback when the remote check fails', async () => {
    // The failure, not the budget, is under test: a loaded machine must not turn it into budget-exhausted.
    const { handler, lines } = remoteWithTime('/broken', { FALLBACK_RESULT: 'DENY' });

    const answer = await handler(reviewEvent('hello'), context);

    assert.equal(answer.ReviewResult, 'DENY');
    assert.equal(lines.at(-1)?.cause, 'remote-check-failed');
  });

  it('answers the fallback and aborts the request when the remote check outlives the budget', async () => {
    const { handler, lines } = remote('/slow', { REVIEW_BUDGET_MS: '50', FALLBACK_RESULT: 'DENY' });

    const answer = await handler(reviewEvent('hello'), context);

    assert.equal(answer.ReviewResult, 'DENY');
    assert.equal(lines.at(-1)?.cause, 'budget-exhausted');
    for (let wait = 0; wait < 100 && aborted === 0; wait++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(aborted >= 1, 'the remote request was aborted');
  });

  it('counts the budget against the time Lambda has left', async () => {
    const { handler, lines } = remote('/slow');
    const nearlyOut = { awsRequestId: 'req-2', getRemainingTimeInMillis: () => 0 };

    const answer = await handler(reviewEvent('hello'), nearlyOut);

    assert.equal(answer.ReviewResult, 'ALLOW');
    assert.equal(lines.at(-1)?.cause, 'budget-exhausted');
  });
});

describe('review handler: logs', () => {
  it('never writes the message text at info level', async () => {
    const secret = 'Sekrit-marker-7Q shit evil.com ann@example.com';
    const { handler, lines } = harness({ LOG_LEVEL: 'info' });
    const { handler: failing, lines: failingLines } = harness({ REVIEW_POLICY: '{oops' });

    await handler(reviewEvent(secret), context);
    await failing(reviewEvent(secret), context);
    await handler({ Content: secret }, context);

    const logged = JSON.stringify([...lines, ...failingLines]);
    assert.ok(lines.length >= 2);
    assert.ok(!logged.includes('Sekrit'), logged);
  });

  it('logs the rules that fired and the content length of a refusal', async () => {
    const { handler, lines } = harness({ REVIEW_POLICY: '{"blockedTermAction":"DENY"}' });

    await handler(reviewEvent('shit happens'), context);

    assert.deepEqual([lines.at(-1)?.rules, lines.at(-1)?.contentLength], [['blockedTerms'], 12]);
  });
});

describe('review handler: hostile callers', () => {
  it('answers the fallback when reading the event throws', async () => {
    const { handler } = harness({});
    const event = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
      },
    );

    const answer = await handler(event, context);

    assert.deepEqual(answer, { ReviewResult: 'DENY', Attributes: { Reason: FALLBACK_REASON } });
  });

  it('still answers when the log sink throws', async () => {
    const logger = createLogger({
      write: () => {
        throw new Error('stdout closed');
      },
    });
    const handler = createReviewHandler({ config: loadConfig({ FALLBACK_RESULT: 'DENY' }), logger });

    const answer = await handler(reviewEvent('oh shit'), context);

    assert.deepEqual(answer, { ReviewResult: 'ALLOW', Content: 'oh ****', Attributes: { client: 'web' } });
  });
});
