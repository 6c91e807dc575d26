/**
 * Message review as IVS does it (IVS Chat User Guide, chat message review handler): the exact event, a synchronous invocation with
 * a 200 ms deadline, and the answer judged by the shared contract. A timeout, a thrown error, a
 * missing function or an invalid answer all lead to the room's fallbackResult.
 */
import { parseReviewAnswer, type ReviewEvent } from '../../shared/review/contract.js';
import type { Logger } from '../../shared/logger.js';
import type { FunctionHost } from './function-host.js';
import type { MessageReviewHandler } from './store.js';
import { isRecord } from '../../shared/json.js';

export type Verdict =
  | {
      readonly deliver: true;
      readonly content: string;
      readonly attributes: Readonly<Record<string, string>> | undefined;
    }
  | { readonly deliver: false; readonly reason: string };

export const DENIED_WITHOUT_REASON = 'Message rejected by the message review handler';

export interface ReviewOptions {
  readonly host: FunctionHost;
  readonly handler: MessageReviewHandler;
  readonly event: ReviewEvent;
  /** The message's own attributes as the client sent them (undefined when it sent none). */
  readonly messageAttributes: Readonly<Record<string, string>> | undefined;
  readonly maximumMessageLength: number;
  readonly deadlineMs: number;
  readonly logger: Logger;
}

export async function review(options: ReviewOptions): Promise<Verdict> {
  const { host, handler, event, logger } = options;
  const outcome = await host.invoke(handler.uri, event, options.deadlineMs);
  let problem: string;
  if (outcome.ok) {
    const answer = parseReviewAnswer(outcome.payload, options.maximumMessageLength);
    if (answer.ok) {
      if (answer.value.ReviewResult === 'DENY') {
        const reason = answer.value.Attributes?.Reason;
        return {
          deliver: false,
          reason: reason !== undefined && reason !== '' ? reason : DENIED_WITHOUT_REASON,
        };
      }
      // An answer that names no Attributes keeps the message's own (the safe reading of the IVS Chat User Guide's review handler page).
      const named = isRecord(outcome.payload) && outcome.payload.Attributes !== undefined;
      return {
        deliver: true,
        content: answer.value.Content ?? event.Content,
        attributes: named ? answer.value.Attributes : options.messageAttributes,
      };
    }
    problem = `invalid answer: ${answer.problem}`;
  } else {
    problem = `${outcome.problem}: ${outcome.detail}`;
  }
  // Never the message text or the user id here: only what went wrong and what applied.
  logger.warn('message review failed, room fallback applies', {
    functionArn: handler.uri,
    problem,
    fallbackResult: handler.fallbackResult,
  });
  if (handler.fallbackResult === 'DENY') {
    return { deliver: false, reason: 'Message review failed and the room falls back to DENY' };
  }
  return { deliver: true, content: event.Content, attributes: options.messageAttributes };
}
