/**
 * `npm start` reads CHAT_BACKEND itself (to choose between the local stack and the service alone):
 * a value other than local or aws is a mistake to report, not a quiet fall back to the local stack
 * with its dev login. Likewise EMULATOR_QUOTAS: on unless it is `off`, anything else refused.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { startLocalStack } from '../../scripts/start.js';
import { ConfigError } from '../../services/token-vending/platform/problem.js';
import { createLogger } from '../../shared/logger.js';
import { FREE_PORTS_ENV } from '../support/ports.js';

describe('npm start with CHAT_BACKEND', () => {
  for (const value of ['AWS', 'prod', 'locale']) {
    it(`refuses CHAT_BACKEND=${value} before starting anything`, async () => {
      await assert.rejects(
        startLocalStack({
          env: { CHAT_BACKEND: value, ...FREE_PORTS_ENV },
          logger: createLogger({ level: 'silent' }),
        }),
        (error: unknown) =>
          error instanceof ConfigError && error.message.includes('CHAT_BACKEND must be local or aws'),
      );
    });
  }

  it('says so on stderr and exits 1, without a stack trace', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      env: { ...process.env, CHAT_BACKEND: 'prod', ...FREE_PORTS_ENV },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /CHAT_BACKEND must be local or aws; got "prod"/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});

describe('npm start with EMULATOR_QUOTAS', () => {
  it('refuses EMULATOR_QUOTAS=false before starting anything', async () => {
    await assert.rejects(
      startLocalStack({
        env: { EMULATOR_QUOTAS: 'false' },
        logger: createLogger({ level: 'silent' }),
        port: 0,
      }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes('EMULATOR_QUOTAS must be on or off; got "false"'),
    );
  });

  for (const [value, enabled] of [
    [undefined, true],
    ['off', false],
  ] as const) {
    it(`enforces IVS's quotas ${enabled ? 'by default, as in AWS' : 'not at all with EMULATOR_QUOTAS=off'}, and says so`, async () => {
      const stack = await startLocalStack({
        env: { LOG_LEVEL: 'silent', ...(value === undefined ? {} : { EMULATOR_QUOTAS: value }) },
        logger: createLogger({ level: 'silent' }),
        port: 0,
        emulatorPort: 0,
        dynamodbPort: 0,
      });
      try {
        assert.equal(stack.emulator?.quotas.enabled, enabled);
        assert.match(
          stack.banner,
          enabled ? /quotas {6}IVS Chat's, as in AWS/ : /quotas {6}off \(EMULATOR_QUOTAS=off\)/,
        );
      } finally {
        await stack.close();
      }
    });
  }
});
