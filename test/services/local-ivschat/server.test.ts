/**
 * `npm run emulator` (services/local-ivschat/server.ts) as a process: the quota variables read at
 * startup, a bad value refused before anything listens.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../../services/local-ivschat/functions.js';

describe('npm run emulator', () => {
  it('stops `npm run emulator` at startup with one line naming a bad EMULATOR_QUOTAS', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/local-ivschat/server.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, EMULATOR_QUOTAS: 'false', EMULATOR_PORT: '0', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 1);
    assert.equal(stderr, 'invalid configuration: EMULATOR_QUOTAS must be on or off; got "false"\n');
  });

  it('starts `npm run emulator` with the quotas off when EMULATOR_QUOTAS=off, and says so', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/local-ivschat/server.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, EMULATOR_QUOTAS: 'off', EMULATOR_PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => {
          reject(new Error(`no listening line within 30 s: ${out}`));
        }, 30_000);
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const found = out.split('\n').find((text) => text.includes('emulator listening'));
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        });
      });
      const parsed: unknown = JSON.parse(line);
      assert.ok(typeof parsed === 'object' && parsed !== null);
      assert.equal(Reflect.get(parsed, 'quotas'), 'off');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
