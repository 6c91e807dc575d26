/**
 * The review handler, built from its configuration and what it talks to (logger, fetch, clock), so the
 * Lambda entry, the tests and the benchmark run the same code. It never throws and never answers
 * invalidly: anything that goes wrong answers FALLBACK_RESULT, with the cause logged and counted.
 *
 * Nothing here is shared between invocations but the compiled policy: every answer is a fresh object,
 * so the emulator may call one instance many times, concurrently.
 */
import {
  attributesByteSize,
  codePointLength,
  IVS_LIMITS,
  type FallbackResult,
} from '../../shared/ivs/limits.js';
import { againIfDropped } from '../../shared/dropped-connection.js';
import { describeError, type Logger } from '../../shared/logger.js';
import {
  parseReviewAnswer,
  parseReviewEvent,
  parseStringMap,
  type ReviewAnswer,
  type ReviewEvent,
} from '../../shared/review/contract.js';
import type { ReviewConfig } from './config.js';
import type { CompiledPolicy } from './policy.js';
import { applyRules, HELD_REASON, REASONS, type RuleName, type Verdict } from './rules.js';
import { countCodePoints } from './text.js';
import type { Standing, StandingCheck } from './sender-standing.js';
import type { RoomModeWrites } from './room-modes.js';
import { createReviewRecorder, METRICS_NAMESPACE, type ReviewRecorder } from './review-log.js';
import { metricFields } from '../../shared/metrics.js';
import { isRecord } from '../../shared/json.js';
import { decide } from '../../shared/access/model.js';
import { factsFrom, type StandingView } from '../../shared/access/standing.js';
import { parseRoomArn } from '../../shared/ivs/arn.js';
import { fitsApprovedMessage } from '../../shared/review/approved-message.js';

export const FALLBACK_CAUSES = [
  'configuration',
  'malformed-event',
  'budget-exhausted',
  'remote-check-failed',
  'standing-check-failed',
  'slow-mode-failed',
  'hold-failed',
  'invalid-answer',
  'internal-error',
] as const;
export type FallbackCause = (typeof FALLBACK_CAUSES)[number];

/** What a DENY from the fallback tells the sender. */
export const FALLBACK_REASON = 'Your message could not be reviewed. Please try again.';
/** What the sender of a doubtful message too long to ever be delivered as an approved one reads. */
export const TOO_LONG_TO_HOLD_REASON =
  'Your message is too long for a moderator to review. Please shorten it.';

/** What a sender refused by slow mode reads: how long to wait, in whole seconds rounded up. */
export function slowModeReason(waitSeconds: number): string {
  return `Slow mode: wait ${waitSeconds} s before your next message.`;
}
/** Attribute naming the rules that fired, when the policy sets `reportRules`. */
export const RULES_ATTRIBUTE = 'ReviewRules';
const REMOTE_REASON_MAX = 200;

export type ReviewHandler = (event: unknown, context?: unknown) => Promise<ReviewAnswer>;

export interface HandlerDependencies {
  readonly config: ReviewConfig;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
  /** Monotonic milliseconds; injected so tests can run out the budget without waiting. */
  readonly now?: () => number;
  /** Bans and timeouts in the chat table (sender-standing.ts); off when undefined. */
  readonly standing?: StandingCheck;
  /** Slow mode's and held messages' writes (room-modes.ts); the modes are off when undefined. */
  readonly modes?: RoomModeWrites;
  /** What is logged and counted per message (review-log.ts); tests inject one with a clock. */
  readonly recorder?: ReviewRecorder;
}

class ReviewFailure extends Error {
  override readonly name = 'ReviewFailure';
  constructor(
    readonly code: FallbackCause,
    message: string,
  ) {
    super(message);
  }
}

/** The parts of a Lambda context this handler uses, read defensively (the caller is not trusted). */
function readContext(context: unknown): { requestId: string | undefined; remainingMs: number | undefined } {
  if (!isRecord(context)) return { requestId: undefined, remainingMs: undefined };
  const requestId = typeof context.awsRequestId === 'string' ? context.awsRequestId : undefined;
  let remainingMs: number | undefined;
  const remaining = context.getRemainingTimeInMillis;
  if (typeof remaining === 'function') {
    try {
      const value: unknown = remaining.call(context);
      if (typeof value === 'number' && Number.isFinite(value)) remainingMs = value;
    } catch {
      remainingMs = undefined;
    }
  }
  return { requestId, remainingMs };
}

/**
 * The fallback answer. ALLOW delivers the content as the rules rewrote it when they ran (`rewritten`: a
 * masked address stays masked), else the original, which must itself be a valid ALLOW (non-empty,
 * within the room limit); when it is not (a malformed event), DENY is the only valid answer.
 */
export function fallbackAnswer(
  result: FallbackResult,
  event: unknown,
  maximumMessageLength: number,
  rewritten?: string,
): ReviewAnswer {
  if (result === 'ALLOW' && isRecord(event) && typeof event.Content === 'string') {
    const content = rewritten ?? event.Content;
    if (content.length > 0 && codePointLength(content) <= maximumMessageLength) {
      const attributes = parseStringMap(event.Attributes, 'Attributes');
      const echoed =
        attributes.ok && attributesByteSize(attributes.value) <= IVS_LIMITS.attributesMaxBytes
          ? attributes.value
          : {};
      return { ReviewResult: 'ALLOW', Content: content, Attributes: echoed };
    }
  }
  return { ReviewResult: 'DENY', Attributes: { Reason: FALLBACK_REASON } };
}

/** Adds `ReviewRules` when asked, and only if the attributes stay within IVS's 1 KB. */
function withRules(
  attributes: Readonly<Record<string, string>>,
  fired: readonly string[],
  policy: CompiledPolicy,
): Record<string, string> {
  if (!policy.reportRules || fired.length === 0) return { ...attributes };
  const reported = { ...attributes, [RULES_ATTRIBUTE]: fired.join(',') };
  return attributesByteSize(reported) <= IVS_LIMITS.attributesMaxBytes ? reported : { ...attributes };
}

interface RemoteVerdict {
  readonly result: 'ALLOW' | 'DENY';
  readonly reason: string | undefined;
}

/**
 * The optional remote moderation endpoint: POST {content, messageId, roomArn} → {result, reason?}.
 * Aborted through `signal` when the budget runs out.
 */
async function askRemote(
  url: string,
  event: ReviewEvent,
  content: string,
  signal: AbortSignal,
  fetchImpl: typeof fetch,
): Promise<RemoteVerdict> {
  let body: unknown;
  try {
    // A question, not a change: asked again on a new connection if the pooled one was dropped
    // (shared/dropped-connection.ts says when).
    const response = await againIfDropped(signal, () =>
      fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ content, messageId: event.MessageId, roomArn: event.RoomArn }),
        signal,
      }),
    );
    if (!response.ok) {
      throw new ReviewFailure('remote-check-failed', `remote check answered HTTP ${response.status}`);
    }
    body = await response.json();
  } catch (error) {
    if (error instanceof ReviewFailure) throw error;
    // Network errors, aborts and bodies that are not JSON all mean the check did not answer.
    throw new ReviewFailure('remote-check-failed', `remote check failed (${failureName(error)})`);
  }
  if (!isRecord(body) || (body.result !== 'ALLOW' && body.result !== 'DENY')) {
    throw new ReviewFailure('remote-check-failed', 'remote check answered without result ALLOW or DENY');
  }
  const reason =
    typeof body.reason === 'string' &&
    body.reason.trim().length > 0 &&
    body.reason.length <= REMOTE_REASON_MAX
      ? body.reason.trim()
      : undefined;
  return { result: body.result, reason };
}

/** Races `work` against the remaining budget; on exhaustion aborts it and fails with budget-exhausted. */
async function withinBudget<T>(remainingMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (remainingMs <= 0)
    throw new ReviewFailure('budget-exhausted', 'no budget left for the next call (table or remote check)');
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Settle first: work that answers its abort at once must not win the race after the budget.
      reject(
        new ReviewFailure(
          'budget-exhausted',
          'review budget ran out waiting for a call (table or remote check)',
        ),
      );
      controller.abort();
    }, remainingMs);
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createReviewHandler(dependencies: HandlerDependencies): ReviewHandler {
  const { config, logger } = dependencies;
  const fetchImpl = dependencies.fetch ?? globalThis.fetch;
  const now = dependencies.now ?? (() => performance.now());
  const maximumMessageLength = config.policy?.maximumMessageLength ?? IVS_LIMITS.maximumMessageLength.default;
  const recorder = dependencies.recorder ?? createReviewRecorder({ logger });

  return async function handler(event: unknown, context?: unknown): Promise<ReviewAnswer> {
    const startedAt = now();
    const { requestId, remainingMs } = readContext(context);
    // Counted from invocation and covering any async work; never past what Lambda itself allows.
    const budgetMs = Math.min(config.budgetMs, remainingMs ?? Number.POSITIVE_INFINITY);

    // What the rules let through, once they have run: a later failure (the table, the remote check)
    // that falls back to ALLOW delivers this, not the text the rules would have rewritten.
    let rulesContent: string | undefined;
    const fallback = (cause: FallbackCause, detail: Record<string, unknown>): ReviewAnswer => {
      let answer: ReviewAnswer;
      try {
        answer = fallbackAnswer(config.fallbackResult, event, maximumMessageLength, rulesContent);
      } catch {
        // An event whose fields throw when read (a proxy, a getter): nothing of it can be delivered.
        answer = { ReviewResult: 'DENY', Attributes: { Reason: FALLBACK_REASON } };
      }
      try {
        // One log line that is also a CloudWatch embedded-metric record: fallbacks are counted by cause.
        logger.warn('review fell back', {
          requestId,
          ...detail,
          cause,
          result: answer.ReviewResult,
          durationMs: Math.round((now() - startedAt) * 1000) / 1000,
          ...metricFields(METRICS_NAMESPACE, { Fallback: 1 }, { dimensions: { Cause: cause } }),
        });
      } catch {
        // A failing log sink must not turn a valid answer into a thrown error.
      }
      return answer;
    };

    try {
      const policy = config.policy;
      if (!policy || config.problems.length > 0) {
        return fallback('configuration', { problems: config.problems });
      }
      const parsed = parseReviewEvent(event);
      if (!parsed.ok) return fallback('malformed-event', { problem: parsed.problem });
      const message = parsed.value;
      const role = message.Sender.Attributes.role;
      const trusted = role !== undefined && policy.trustedRoles.includes(role);
      // The sender's bans and timeout are read while the rules run; a failed or late read is a fallback.
      const standingCheck = dependencies.standing;
      const standing: Promise<Standing> | undefined = standingCheck
        ? withinBudget(budgetMs - (now() - startedAt), (signal) =>
            standingCheck(message.RoomArn, { userId: message.Sender.UserId, role }, signal),
          ).catch((error: unknown) => {
            if (error instanceof ReviewFailure && error.code === 'budget-exhausted') throw error;
            throw new ReviewFailure(
              'standing-check-failed',
              `the ban and timeout check failed (${failureName(error)})`,
            );
          })
        : undefined;
      // Settled here so a rejection is never unhandled while the rules run.
      standing?.catch(() => undefined);

      let verdict: Verdict = trusted
        ? trustedVerdict(message.Content, policy.maximumMessageLength)
        : applyRules(policy, message.Content);
      if (verdict.result === 'ALLOW') rulesContent = verdict.content;
      // A reason other than the rule's own (the remote check's, the standing's, a mode's).
      let remoteReason: string | undefined;

      if (verdict.result === 'ALLOW' && !trusted && policy.remoteCheck) {
        const allowed = verdict;
        const remote = await withinBudget(budgetMs - (now() - startedAt), (signal) =>
          askRemote(policy.remoteCheck?.url ?? '', message, allowed.content, signal, fetchImpl),
        );
        if (remote.result === 'DENY') {
          remoteReason = remote.reason;
          verdict = { result: 'DENY', rule: 'remoteCheck', fired: [...verdict.fired, 'remoteCheck'] };
        }
      }
      // A message the rules refuse stays refused whatever the standing read does: a failed or late read
      // only loses the ban's own reason, and never turns the refusal into the fallback's ALLOW.
      const blocked = standing
        ? await (verdict.result === 'DENY' ? standing.catch(() => undefined) : standing)
        : undefined;
      if (blocked?.blocked) {
        verdict = { result: 'DENY', rule: 'standing', fired: [...verdict.fired, 'standing'] };
        remoteReason = blocked.reason;
      }

      // The room's modes, for a message everything so far lets through (a DENY wins over a hold, and a
      // refused message does not count for slow mode). Those who may change the modes (moderators, the
      // owner, admins: the access model's setModes) are bound by neither.
      const modeWrites = dependencies.modes;
      const view = blocked !== undefined && !blocked.blocked ? blocked.view : undefined;
      const roomId = parseRoomArn(message.RoomArn)?.id;
      if (
        verdict.result === 'ALLOW' &&
        modeWrites !== undefined &&
        view !== undefined &&
        roomId !== undefined &&
        (view.modes.slowModeSeconds > 0 || (view.modes.holdForReview && verdict.hold !== undefined)) &&
        !bindsNoModes(view, role)
      ) {
        const allowed = verdict;
        const sender = { userId: message.Sender.UserId, attributes: message.Sender.Attributes };
        // Outside a room with holdForReview on, the hold rules are as if they did not exist.
        const holdRule = view.modes.holdForReview ? allowed.hold : undefined;
        if (holdRule !== undefined && !fitsApprovedMessage(sender, allowed.content)) {
          // It could never be delivered as an approved message (1 KB of event attributes): say so now
          // rather than queue what a moderator could not approve.
          verdict = { result: 'DENY', rule: holdRule, fired: [...allowed.fired, holdRule] };
          remoteReason = TOO_LONG_TO_HOLD_REASON;
        } else {
          // Slow mode first, and for held messages too: a held message is a send like any other, so
          // slow mode also paces what reaches the moderators' queue.
          if (view.modes.slowModeSeconds > 0) {
            const slow = await withinBudget(budgetMs - (now() - startedAt), (signal) =>
              modeWrites.claimSlowMode(
                {
                  roomId,
                  userId: sender.userId,
                  seconds: view.modes.slowModeSeconds,
                  lastSentAt: blocked?.blocked === false ? blocked.lastSentAt : undefined,
                },
                signal,
              ),
            ).catch(failedAs('slow-mode-failed', 'the slow mode write failed'));
            if (!slow.sent) {
              verdict = { result: 'DENY', rule: 'slowMode', fired: [...allowed.fired, 'slowMode'] };
              remoteReason = slowModeReason(slow.waitSeconds);
            }
          }
          if (verdict.result === 'ALLOW' && holdRule !== undefined) {
            // Not delivered: queued for the room's moderators, and the sender told so. If the write
            // fails or the budget runs out, this is the review's own check failing: FALLBACK_RESULT
            // (ALLOW delivers the message unreviewed, DENY asks the sender to try again), as for
            // every other failure here, so the operator's one setting decides.
            await withinBudget(budgetMs - (now() - startedAt), (signal) =>
              modeWrites.hold(
                {
                  roomId,
                  content: allowed.content,
                  sender,
                  messageId: message.MessageId,
                  reason: HOLD_REASONS[holdRule],
                },
                signal,
              ),
            ).catch(failedAs('hold-failed', 'the held message could not be written'));
            verdict = { result: 'DENY', rule: holdRule, fired: [...allowed.fired, holdRule] };
            remoteReason = HELD_REASON;
          }
        }
      }
      const tookMs = now() - startedAt;
      if (tookMs > budgetMs) {
        // Every wait above was cut at the budget, so only CPU gets here (a starved runtime, e.g. a
        // loaded machine). The decision is answered all the same: the budget is under IVS's 200 ms, so
        // IVS may still take it; if not, IVS applies the room's fallback whatever is answered. Answering
        // FALLBACK_RESULT instead would throw away a decision IVS could still use, and contradict a
        // write already made (a held message queued, a slow-mode send recorded). Counted, to be seen.
        try {
          logger.warn('review answered past its budget', {
            requestId,
            budgetMs,
            durationMs: Math.round(tookMs * 1000) / 1000,
            ...metricFields(METRICS_NAMESPACE, { LateAnswer: 1 }),
          });
        } catch {
          // A failing log sink must not change the answer.
        }
      }

      const answer: ReviewAnswer =
        verdict.result === 'ALLOW'
          ? {
              ReviewResult: 'ALLOW',
              Content: verdict.content,
              Attributes: withRules(message.Attributes, verdict.fired, policy),
            }
          : {
              ReviewResult: 'DENY',
              Attributes: withRules({ Reason: remoteReason ?? REASONS[verdict.rule] }, verdict.fired, policy),
            };
      const valid = parseReviewAnswer(answer, policy.maximumMessageLength);
      if (!valid.ok) return fallback('invalid-answer', { problem: valid.problem });

      // Never the message text: a line for refusals, what is delivered counted (review-log.ts).
      try {
        recorder.record({
          requestId,
          messageId: message.MessageId,
          result: answer.ReviewResult,
          rewritten: answer.ReviewResult === 'ALLOW' && answer.Content !== message.Content,
          rules: verdict.fired,
          trusted,
          contentLength: () => countCodePoints(message.Content),
          durationMs: Math.round((now() - startedAt) * 1000) / 1000,
        });
      } catch {
        // A failing log sink must not change the answer.
      }
      return answer;
    } catch (error) {
      if (error instanceof ReviewFailure) return fallback(error.code, { problem: error.message });
      return fallback('internal-error', describeError(error));
    }
  };
}

/** Why a message was held, as its moderators read it in the queue. */
const HOLD_REASONS = {
  holdTerms: 'It contains a term listed for review.',
  links: 'It contains a link.',
} as const;

/**
 * A failed call's error name, and its code when it has one: the AWS SDK names a reset connection
 * `TimeoutError`, and only the code (`ECONNRESET`) tells it from a timeout. Never the message.
 */
function failureName(error: unknown): string {
  const { errorName, errorCode } = describeError(error);
  return typeof errorCode === 'string' ? `${String(errorName)} ${errorCode}` : String(errorName);
}

/** A write that failed: budget exhaustion stays what it is, anything else is `cause`. */
function failedAs(cause: FallbackCause, what: string): (error: unknown) => never {
  return (error: unknown) => {
    if (error instanceof ReviewFailure && error.code === 'budget-exhausted') throw error;
    throw new ReviewFailure(cause, `${what} (${failureName(error)})`);
  };
}

/**
 * Whether the sender is bound by no room mode: whoever may change the modes (the access model's
 * setModes: moderators, the owner, admins). Their room role comes from the table; `admin` and an
 * app-wide `moderator` from the token's role attribute (set by the token service: trusted).
 */
function bindsNoModes(view: StandingView, role: string | undefined): boolean {
  const caller = factsFrom(view, { isAdmin: role === 'admin', appModerator: role === 'moderator' });
  return decide('setModes', { privacy: view.privacy, caller }).allowed;
}

/** Trusted senders skip the rules; the answer must still be a valid ALLOW. */
function trustedVerdict(content: string, maximumMessageLength: number): Verdict {
  if (content.length === 0) return { result: 'DENY', rule: 'empty', fired: ['empty'] };
  if (codePointLength(content) > maximumMessageLength)
    return { result: 'DENY', rule: 'length', fired: ['length'] };
  const fired: RuleName[] = [];
  return { result: 'ALLOW', content, fired };
}
