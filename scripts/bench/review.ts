/**
 * `npm run bench:review`: the review Lambda's per-message decision time beside `obscenity` and
 * `bad-words`, on the same seeded corpus (10,000 messages) and the same 5,000+ terms, in one run;
 * recall and false positives on the labelled evasion set (test/lambdas/message-review/fixtures),
 * the bundle with its default list beside `obscenity` with its own English dataset; cold start of the
 * built bundle beside an empty `node -e ''`; bundle size.
 *
 * Every figure is measured here, in this run; nothing is asserted. Libraries that cannot finish the
 * corpus within a per-library time cap are measured on the prefix they finished (the corpus is
 * shuffled, so a prefix is a fair sample) and the table says so. After the table, where this Lambda's
 * p99 comes from (review-tail.ts), and the whole handler with its table calls against dynalite beside
 * the handler without a table (review-table.ts). REVIEW_BENCH_BASELINE names another build of the bundle (an older
 * version, say) to measure beside this one in the same run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Filter } from 'bad-words';
import {
  englishDataset,
  englishRecommendedTransformers,
  parseRawPattern,
  RegExpMatcher,
  TextCensor,
  type BlacklistedTerm,
} from 'obscenity';
import { isRecord } from '../../shared/json.js';
import { lambdaContext, loadBuiltHandler } from '../invoke-review.js';
import { percentile } from './stats.js';
import { buildCorpus, buildTerms } from './review-corpus.js';
import { tailBreakdown } from './review-tail.js';
import { tableBench } from './review-table.js';
import { EVASIONS, INNOCENTS, score, type Score } from '../../test/lambdas/message-review/labelled-set.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE = join(root, 'dist/message-review/index.js');
const WARMUP = 1_000;
const CAP_MS = 20_000;
const COLD_STARTS = 25;

interface Row {
  readonly name: string;
  readonly measured: number;
  readonly median: number;
  readonly p99: number;
}

async function measure(
  name: string,
  corpus: readonly string[],
  decide: (text: string) => unknown,
): Promise<Row> {
  for (let index = 0; index < WARMUP; index++) await decide(corpus[index % corpus.length] ?? '');
  const times = new Float64Array(corpus.length);
  const deadline = performance.now() + CAP_MS;
  let measured = 0;
  for (const text of corpus) {
    const start = process.hrtime.bigint();
    await decide(text);
    times[measured++] = Number(process.hrtime.bigint() - start) / 1000;
    if (performance.now() > deadline) break;
  }
  const sorted = times.slice(0, measured).sort();
  return { name, measured, median: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

/**
 * Wall time of fresh `node` processes, the two commands alternating so that a change in machine load
 * hits both alike; the median of each.
 */
function coldStarts(commands: readonly (readonly string[])[]): number[] {
  const times = commands.map((): number[] => []);
  for (let run = 0; run < COLD_STARTS; run++) {
    commands.forEach((args, index) => {
      const start = performance.now();
      const result = spawnSync(process.execPath, args, {
        stdio: 'ignore',
        env: { ...process.env, LOG_LEVEL: 'silent' },
      });
      if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed`);
      times[index]?.push(performance.now() - start);
    });
  }
  return times.map((list) => {
    list.sort((a, b) => a - b);
    return list[Math.floor(list.length / 2)] ?? Number.NaN;
  });
}

const fmt = (value: number, digits = 1): string => value.toFixed(digits);

/**
 * Recall and false positives on the labelled set: this Lambda as deployed (the bundle, its default
 * list, DENY so that the answer alone tells) beside obscenity with its own English dataset and
 * recommended transformers, per class of evasion.
 */
async function labelledSet(): Promise<void> {
  const handler = loadBuiltHandler(BUNDLE, {
    REVIEW_POLICY: JSON.stringify({ blockedTermAction: 'DENY' }),
    LOG_LEVEL: 'silent',
  });
  const denied = new Set<string>();
  for (const entry of [...EVASIONS, ...INNOCENTS]) {
    const answer: unknown = await handler(
      {
        Content: entry.text,
        MessageId: 'abcDEF123456',
        RoomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456',
        Attributes: {},
        Sender: { UserId: 'u-1', Attributes: { role: 'user' }, Ip: '203.0.113.9' },
      },
      // A fresh context per message: its deadline runs from when it is made.
      lambdaContext(),
    );
    if (isRecord(answer) && answer.ReviewResult === 'DENY') denied.add(entry.text);
  }
  const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  const results: readonly (readonly [string, Score])[] = [
    ['this Lambda (bundle, default list)', score((text) => denied.has(text))],
    ['obscenity 0.4.6 (englishDataset)', score((text) => obscenity.hasMatch(text))],
  ];
  const classes = [...new Set(EVASIONS.map((entry) => entry.class))];
  const recallOf = (result: Score, name: string): string => {
    const all = EVASIONS.filter((entry) => entry.class === name).length;
    const missed = result.missed.filter((entry) => entry.class === name).length;
    return `${fmt((100 * (all - missed)) / all)} %`;
  };
  console.log(
    `\nlabelled evasion set: ${EVASIONS.length} evasions, ${INNOCENTS.length} close innocent phrases (recall by class)`,
  );
  console.log(
    `${'implementation'.padEnd(36)} ${'recall'.padStart(8)} ${'false +'.padStart(8)} ` +
      classes.map((name) => name.padStart(16)).join(' '),
  );
  for (const [name, result] of results) {
    console.log(
      `${name.padEnd(36)} ${`${fmt(100 * result.recall)} %`.padStart(8)} ${String(result.falsePositives.length).padStart(8)} ` +
        classes.map((name) => recallOf(result, name).padStart(16)).join(' '),
    );
  }
}

/**
 * The handler as Lambda runs it: default log level, stdout a pipe (scripts/bench/review-logged.ts in
 * a child whose stdout this process drains), beside logging off in the same child; and how many log
 * lines per message the default level writes.
 */
async function loggedLevels(terms: readonly string[], corpus: readonly string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-review-logged-'));
  const file = join(dir, 'corpus.json');
  writeFileSync(file, JSON.stringify({ terms, corpus }));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'scripts/bench/review-logged.ts'), file],
    {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      env: { ...process.env, LOG_LEVEL: '' },
    },
  );
  let lines = 0;
  let bytes = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 0x0a) lines += 1;
  });
  const rows = await new Promise<unknown>((resolve, reject) => {
    let received: unknown;
    child.on('message', (message) => {
      received = message;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && received !== undefined) resolve(received);
      else reject(new Error(`review-logged.ts exited with ${String(code)}`));
    });
  });
  rmSync(dir, { recursive: true, force: true });
  if (!Array.isArray(rows)) throw new Error('review-logged.ts sent no rows');
  console.log(
    '\nthe handler at the default log level, stdout a pipe (as in Lambda), beside logging off: µs per message',
  );
  console.log(
    `${'this Lambda (bundle)'.padEnd(44)} ${'messages'.padStart(9)} ${'median'.padStart(9)} ${'p99'.padStart(9)}`,
  );
  const p99s: number[] = [];
  for (const row of rows) {
    if (!isRecord(row)) continue;
    const p99 = Number(row.p99);
    p99s.push(p99);
    console.log(
      `${String(row.name).padEnd(44)} ${String(row.messages).padStart(9)} ${fmt(Number(row.median), 2).padStart(9)} ${fmt(p99, 2).padStart(9)}`,
    );
  }
  // Two runs per action at the default level (MASK, DENY) of corpus.length messages each, plus warm-up.
  const defaultRuns = 2 * (corpus.length + 1_000);
  console.log(
    `log lines at the default level: ${lines} for ${defaultRuns} messages (${fmt(lines / defaultRuns, 3)} per message, ${fmt(bytes / 1024)} KiB); refusals only, delivered messages counted`,
  );
  const [maskInfo = Number.NaN, , denyInfo = Number.NaN] = p99s;
  console.log(
    `target p99 <= 50 µs at the default level: MASK ${fmt(maskInfo, 2)} µs, DENY ${fmt(denyInfo, 2)} µs`,
  );
}

async function main(): Promise<void> {
  const began = performance.now();
  const terms = buildTerms();
  const corpus = buildCorpus(terms);
  console.log(
    `review bench: ${corpus.length} messages, ${terms.length} terms (seeded), node ${process.version}`,
  );
  // Shared machines skew timings: the load is printed so a reader can judge the figures.
  const load = (): string =>
    loadavg()
      .map((value) => fmt(value, 2))
      .join(' ');
  console.log(`machine: ${cpus().length} CPUs, load average ${load()} (1/5/15 min)`);

  // The deployable itself: the built bundle, loaded as Lambda loads it, policy read from the env.
  const policyFor = (action: string): string =>
    JSON.stringify({ blockedTerms: terms, blockedTermAction: action });
  const maskHandler = loadBuiltHandler(BUNDLE, { REVIEW_POLICY: policyFor('MASK'), LOG_LEVEL: 'silent' });
  const denyHandler = loadBuiltHandler(BUNDLE, { REVIEW_POLICY: policyFor('DENY'), LOG_LEVEL: 'silent' });
  // Lambda's context counts down from when it is made; the bench runs for a minute or more, so it gets
  // an hour, or later messages would run out of budget and be measured on the fallback path.
  const context = lambdaContext('message-review', 60 * 60 * 1000);
  const event = (text: string): Record<string, unknown> => ({
    Content: text,
    MessageId: 'abcDEF123456',
    RoomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456',
    Attributes: {},
    Sender: { UserId: 'u-1', Attributes: { role: 'user' }, Ip: '203.0.113.9' },
  });

  const rows: Row[] = [];
  const baselineRows: Row[] = [];
  // REVIEW_BENCH_BASELINE=<another build of the bundle>: loaded now too, and each of its rows measured
  // right after the same row of this build, so that a change in machine load hits both alike.
  const baseline = process.env.REVIEW_BENCH_BASELINE;
  const baselineHandlers = baseline
    ? ['MASK', 'DENY'].map((action) =>
        loadBuiltHandler(baseline, { REVIEW_POLICY: policyFor(action), LOG_LEVEL: 'silent' }),
      )
    : [];
  const ourRows: readonly (readonly [string, typeof maskHandler])[] = [
    ['this Lambda (bundle): MASK, all matches', maskHandler],
    ['this Lambda (bundle): DENY, first match', denyHandler],
  ];
  for (const [index, [name, handler]] of ourRows.entries()) {
    rows.push(await measure(name, corpus, (text) => handler(event(text), context)));
    const other = baselineHandlers[index];
    if (other) {
      const label = `baseline bundle: ${index === 0 ? 'MASK' : 'DENY'}`;
      baselineRows.push(await measure(label, corpus, (text) => other(event(text), context)));
    }
  }
  // The libraries' matchers are built only now: building 5,000 regular expressions fills the heap,
  // and the garbage collection that follows would land on whichever rows were measured next.
  const blacklistedTerms: BlacklistedTerm[] = terms.map((term, id) => ({
    id,
    pattern: parseRawPattern(`|${term}|`),
  }));
  const obscenity = new RegExpMatcher({ blacklistedTerms, ...englishRecommendedTransformers });
  const censor = new TextCensor();
  const badWords = new Filter({ emptyList: true });
  badWords.addWords(...terms);
  rows.push(
    await measure('obscenity 0.4.6: getAllMatches + censor', corpus, (text) =>
      censor.applyTo(text, obscenity.getAllMatches(text)),
    ),
  );
  rows.push(await measure('obscenity 0.4.6: hasMatch', corpus, (text) => obscenity.hasMatch(text)));
  rows.push(await measure('bad-words 4.1.5: isProfane', corpus, (text) => badWords.isProfane(text)));

  const [ours, oursDeny, obscenityMask, obscenityHas] = rows;
  console.log('\nper-message decision time (µs)');
  console.log(
    `${'implementation'.padEnd(44)} ${'messages'.padStart(9)} ${'median'.padStart(9)} ${'p99'.padStart(9)}`,
  );
  for (const row of [...rows, ...baselineRows]) {
    console.log(
      `${row.name.padEnd(44)} ${String(row.measured).padStart(9)} ${fmt(row.median, 2).padStart(9)} ${fmt(row.p99, 2).padStart(9)}`,
    );
  }
  const partial = rows.filter((row) => row.measured < corpus.length);
  for (const row of partial) {
    console.log(
      `  note: ${row.name} finished ${row.measured} of ${corpus.length} messages within the ${CAP_MS / 1000} s cap`,
    );
  }
  if (ours && oursDeny && obscenityMask && obscenityHas) {
    console.log(
      `\nspeed-up vs obscenity, median: MASK ${fmt(obscenityMask.median / ours.median)}x, DENY ${fmt(obscenityHas.median / oursDeny.median)}x; ` +
        `p99: MASK ${fmt(obscenityMask.p99 / ours.p99)}x, DENY ${fmt(obscenityHas.p99 / oursDeny.p99)}x`,
    );
    console.log(`target p99 <= 50 µs: MASK ${fmt(ours.p99, 2)} µs, DENY ${fmt(oursDeny.p99, 2)} µs`);
  }
  for (const line of await tailBreakdown('this Lambda (bundle): MASK', corpus, (text) =>
    maskHandler(event(text), context),
  ))
    console.log(line);

  for (const line of await tableBench(BUNDLE)) console.log(line);

  await loggedLevels(terms, corpus);

  await labelledSet();

  const bundle = readFileSync(BUNDLE);
  // A third reference: requiring an empty CommonJS file shows what Node's module loader itself costs.
  const emptyModule = join(mkdtempSync(join(tmpdir(), 'bench-review-')), 'empty.cjs');
  writeFileSync(emptyModule, '');
  // What IVS waits for on a cold start: the load and then the first answer (the term trie's branches
  // are built on first use, so that answer pays for the ones its words need). The event is the mask
  // example: a profane word, rewritten, so the answer is a real decision, printed to prove it.
  const firstEvent = readFileSync(join(root, 'lambdas/message-review/events/mask-term.json'), 'utf8');
  const firstAnswer = [
    `require(${JSON.stringify(BUNDLE)}).handler(${firstEvent.trim()},`,
    `{ awsRequestId: 'bench', getRemainingTimeInMillis: () => 1000 })`,
    `.then((answer) => { if (answer.ReviewResult !== 'ALLOW' || !answer.Content.includes('*')) process.exit(3); })`,
  ].join('');
  const [empty = Number.NaN, emptyRequire = Number.NaN, loaded = Number.NaN, answered = Number.NaN] =
    coldStarts([
      ['-e', ''],
      ['-e', `require(${JSON.stringify(emptyModule)})`],
      ['-e', `require(${JSON.stringify(BUNDLE)})`],
      ['-e', firstAnswer],
    ]);
  rmSync(dirname(emptyModule), { recursive: true, force: true });
  console.log(`\ncold start, median of ${COLD_STARTS} fresh processes each, alternating`);
  console.log(`  node -e ''                       ${fmt(empty)} ms`);
  console.log(`  node -e 'require(empty file)'    ${fmt(emptyRequire)} ms   (the module loader alone)`);
  console.log(
    `  node -e 'require(bundle)'        ${fmt(loaded)} ms   load overhead ${fmt(loaded - empty)} ms (target <= 15), ${fmt(loaded - emptyRequire)} ms over an empty module`,
  );
  console.log(
    `  load + first answer (mask-term)  ${fmt(answered)} ms   ${fmt(answered - empty)} ms over node -e '' (IVS allows 200 ms for both)`,
  );
  console.log(
    `\nbundle dist/message-review/index.js: ${fmt(statSync(BUNDLE).size / 1024)} KiB minified, ${fmt(gzipSync(bundle).length / 1024)} KiB gzip (target <= 60 KB)`,
  );
  console.log(`\nbench took ${fmt((performance.now() - began) / 1000)} s; load average at the end ${load()}`);
}

await main();
