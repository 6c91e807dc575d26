/**
 * One `node [flags] -e code` child for the cold-start benches (bench:coldstart, bench:tracing), timed
 * from spawn to exit, with exactly `env` (nothing inherited but PATH). The child may write one JSON
 * report on fd 3 (e.g. its own CPU time at exit).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** One child at most this long: a stuck one is killed and the bench fails, rather than hang. */
const CHILD_TIMEOUT_MS = 30_000;

export interface ChildResult {
  /** Spawn to exit, as this process saw it. */
  readonly wallMs: number;
  /** What the child reported on fd 3, if anything. */
  readonly report?: Record<string, unknown>;
}

export function runChild(
  flags: readonly string[],
  code: string,
  env: Record<string, string>,
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...flags, '-e', code], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      // stdout (the functions' log lines) is discarded as Lambda's log pipe would take it; stderr kept.
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let report = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdio[3]?.on('data', (chunk: Buffer) => (report += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (status, signal) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      if (status !== 0) {
        reject(new Error(`child exited with ${status ?? signal}: ${stderr.slice(0, 2000)}`));
        return;
      }
      // fd 3 may deliver its last chunk after 'exit'; the report is written before the child ends.
      child.once('close', () => {
        resolve(
          report === '' ? { wallMs } : { wallMs, report: JSON.parse(report) as Record<string, unknown> },
        );
      });
    });
  });
}
