/**
 * `tsx scripts/history-events.ts`: writes lambdas/chat-history/events/<case>.json — CloudWatch Logs
 * subscription events, invokable as they are (`sam local invoke ChatHistoryFunction -e …`) — from the
 * readable payloads in events/decoded/<case>.json. A test checks the two agree.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  encodeSubscriptionEvent,
  type SubscriptionPayload,
} from '../services/local-ivschat/log-subscriptions.js';

export const HISTORY_EVENTS = join(
  fileURLToPath(new URL('.', import.meta.url)),
  '../lambdas/chat-history/events',
);

export function writeHistoryEvents(): string[] {
  const decoded = join(HISTORY_EVENTS, 'decoded');
  const written: string[] = [];
  for (const file of readdirSync(decoded)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    // The decoded files are this repository's own fixtures, written in the subscription payload shape.
    const payload = JSON.parse(readFileSync(join(decoded, file), 'utf8')) as SubscriptionPayload;
    writeFileSync(
      join(HISTORY_EVENTS, file),
      JSON.stringify(encodeSubscriptionEvent(payload), null, 2) + '\n',
    );
    written.push(file);
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of writeHistoryEvents()) console.log(`wrote lambdas/chat-history/events/${file}`);
}
