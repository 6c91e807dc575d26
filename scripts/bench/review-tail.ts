/**
 * Where the review's p99 comes from, measured in the bench's own run (`npm run bench:review`):
 *
 * - every message of the corpus timed a few times: the fastest of its runs is its own work, a single
 *   run adds whatever the machine and the runtime did meanwhile;
 * - a busy-wait as long as the median message, timed as often: what the machine alone adds to any
 *   task that short (preemption by other processes, interrupts, a virtual CPU's stolen time);
 * - the p99 of the fastest runs by kind of message (long lines are the slowest work);
 * - garbage collections during one run, and how many of the slowest 1 % they overlapped.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { messageKind } from './review-corpus.js';
import { percentile } from './stats.js';

const PASSES = 3;

const fmt = (value: number): string => value.toFixed(2);

export async function tailBreakdown(
  name: string,
  corpus: readonly string[],
  decide: (text: string) => unknown,
): Promise<string[]> {
  const collections: { start: number; end: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      collections.push({ start: entry.startTime, end: entry.startTime + entry.duration });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const fastest = new Float64Array(corpus.length).fill(Number.POSITIVE_INFINITY);
  const first = new Float64Array(corpus.length);
  const starts = new Float64Array(corpus.length);
  let firstRunCollections = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    for (let index = 0; index < corpus.length; index++) {
      const start = performance.now();
      await decide(corpus[index] ?? '');
      const took = (performance.now() - start) * 1000;
      if (pass === 0) {
        first[index] = took;
        starts[index] = start;
      }
      fastest[index] = Math.min(fastest[index] ?? took, took);
    }
    // Let the observer deliver this pass's entries before they are counted.
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (pass === 0) firstRunCollections = collections.length;
  }
  observer.disconnect();
  const oneRun = first.slice().sort();
  const work = fastest.slice().sort();
  const p99 = percentile(oneRun, 0.99);
  const slowest = [...first.keys()].filter((index) => (first[index] ?? 0) >= p99);
  const overlapping = slowest.filter((index) => {
    const start = starts[index] ?? 0;
    const end = start + (first[index] ?? 0) / 1000;
    return collections.slice(0, firstRunCollections).some((gc) => gc.start < end && gc.end > start);
  }).length;

  // The busy-wait: as long as the median message's fastest run, as many times as there are messages.
  const median = percentile(work, 0.5);
  const spins = new Float64Array(corpus.length);
  for (let index = 0; index < spins.length; index++) {
    const start = performance.now();
    while ((performance.now() - start) * 1000 < median);
    spins[index] = (performance.now() - start) * 1000;
  }
  spins.sort();

  const kinds = new Map<string, number[]>();
  corpus.forEach((text, index) => {
    const kind = messageKind(text);
    const list = kinds.get(kind) ?? [];
    list.push(fastest[index] ?? 0);
    kinds.set(kind, list);
  });
  const byKind = [...kinds]
    .map(
      ([kind, list]) => `${kind} (${list.length}) ${fmt(percentile(Float64Array.from(list).sort(), 0.99))}`,
    )
    .join(', ');
  return [
    `\nwhere the p99 of "${name}" comes from, measured now (µs per message)`,
    `  each message timed ${PASSES} times: p99 of one run ${fmt(p99)}; p99 of each message's fastest run ${fmt(percentile(work, 0.99))} (its own work; median ${fmt(median)})`,
    `  a busy-wait as long as that median, timed ${spins.length} times: p99 ${fmt(percentile(spins, 0.99))} (what the machine adds to any task that short)`,
    `  p99 of the fastest runs by kind of message: ${byKind}`,
    `  garbage collections during one run: ${firstRunCollections}, overlapping ${overlapping} of its ${slowest.length} slowest messages`,
  ];
}
