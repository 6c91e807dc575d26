import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../../..');

function invoke(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/invoke-review.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, REVIEW_POLICY: '', REVIEW_POLICY_FILE: '', LOG_LEVEL: 'debug' },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run invoke:review', () => {
  it('prints the answer JSON alone on stdout, logs on stderr', () => {
    const { status, stdout, stderr } = invoke('lambdas/message-review/events/mask-term.json');

    assert.equal(status, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), {
      ReviewResult: 'ALLOW',
      Content: 'that was ******* great',
      Attributes: { client: 'web' },
    });
    assert.ok(stderr.includes('"message":"reviewed"'));
  });

  it('applies a policy file given with --policy', () => {
    const { status, stdout } = invoke(
      'lambdas/message-review/events/link-mask.json',
      '--policy',
      'lambdas/message-review/events/policies/links-mask.json',
    );

    assert.equal(status, 0);
    assert.deepEqual(JSON.parse(stdout), {
      ReviewResult: 'ALLOW',
      Content: 'free coins at **************',
      Attributes: { client: 'web' },
    });
  });

  it('fails clearly when the event file is missing', () => {
    const { status, stderr } = invoke('no-such-event.json');

    assert.notEqual(status, 0);
    assert.match(stderr, /event file not found: no-such-event\.json/);
  });

  it('fails clearly when the event file is not JSON', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'invoke-review-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ not json');

    const { status, stderr } = invoke(path);

    assert.notEqual(status, 0);
    assert.match(stderr, /is not JSON/);
  });
});
