import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, describeError } from '../../shared/logger.js';
import { logLevelOf } from '../../shared/config/env.js';

describe('createLogger', () => {
  it('writes one JSON line per entry at or above its level, with child fields', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      write: (line) => lines.push(line),
      now: () => new Date(0),
    }).child({ component: 'x' });

    logger.debug('hidden');
    logger.warn('shown', { count: 2 });

    assert.equal(lines.length, 1);
    assert.deepEqual(JSON.parse(lines[0] ?? ''), {
      time: '1970-01-01T00:00:00.000Z',
      level: 'warn',
      message: 'shown',
      component: 'x',
      count: 2,
    });
  });
});

describe('logLevelOf', () => {
  it('refuses an unknown level with the allowed ones named', () => {
    assert.throws(() => logLevelOf({ LOG_LEVEL: 'loud' }), /debug, info, warn, error, silent/);
  });
});

describe('describeError', () => {
  it('keeps name, message and code but not the stack', () => {
    const error = Object.assign(new Error('boom'), { code: 'E_X' });

    assert.deepEqual(describeError(error), { errorName: 'Error', errorMessage: 'boom', errorCode: 'E_X' });
  });
});
