/**
 * Child of `npm run bench:review`: the built handler at the default log level (LOG_LEVEL unset, so
 * info) beside the same handler with logging off, in one process whose stdout is a pipe the parent
 * drains, as the Lambda runtime's is. A pipe write on Linux is synchronous in Node, so a log line
 * costs the handler a syscall; a TTY or /dev/null would hide or distort that. Reads the corpus from
 * the file named in argv, sends its rows to the parent over IPC.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lambdaContext, loadBuiltHandler } from '../invoke-review.js';
import { percentile } from './stats.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE = join(root, 'dist/message-review/index.js');
const WARMUP = 1_000;

export interface LoggedRow {
  readonly name: string;
  readonly median: number;
  readonly p99: number;
  readonly messages: number;
}

const input: unknown = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
const listOf = (name: string): string[] => {
  const value: unknown = typeof input === 'object' && input !== null ? Reflect.get(input, name) : undefined;
  if (!Array.isArray(value)) throw new Error('usage: review-logged.ts <corpus.json with terms and corpus>');
  return value.map(String);
};
const terms = listOf('terms');
const corpus = listOf('corpus');

const context = lambdaContext('message-review', 60 * 60 * 1000);
const event = (text: string): Record<string, unknown> => ({
  Content: text,
  MessageId: 'abcDEF123456',
  RoomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456',
  Attributes: {},
  Sender: { UserId: 'u-1', Attributes: { role: 'user' }, Ip: '203.0.113.9' },
});

async function measure(name: string, action: string, logLevel: string | undefined): Promise<LoggedRow> {
  const handler = loadBuiltHandler(BUNDLE, {
    REVIEW_POLICY: JSON.stringify({ blockedTerms: terms, blockedTermAction: action }),
    LOG_LEVEL: logLevel,
  });
  for (let index = 0; index < WARMUP; index++)
    await handler(event(corpus[index % corpus.length] ?? ''), context);
  const times = new Float64Array(corpus.length);
  let measured = 0;
  for (const text of corpus) {
    const start = process.hrtime.bigint();
    await handler(event(text), context);
    times[measured++] = Number(process.hrtime.bigint() - start) / 1000;
  }
  const sorted = times.sort();
  return { name, median: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), messages: measured };
}

const rows: LoggedRow[] = [];
// Alternating, so a change in machine load hits both levels alike.
for (const action of ['MASK', 'DENY']) {
  rows.push(await measure(`${action}, default level (info), stdout a pipe`, action, undefined));
  rows.push(await measure(`${action}, logging off (silent)`, action, 'silent'));
}
process.send?.(rows);
