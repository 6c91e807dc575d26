/**
 * The quota limiter on an injected clock (exact boundaries a loaded machine cannot move) and the two
 * variables that configure it. Through the real clients: quotas-api.test.ts; the process: server.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../services/local-ivschat/clock.js';
import {
  DEFAULT_RATES,
  isRatedOperation,
  QuotaConfigError,
  Quotas,
  QUOTAS_OFF,
  quotaOptionsFromEnv,
  type RatedOperation,
} from '../../../services/local-ivschat/quotas.js';

const START = new Date('2026-03-01T12:00:00.000Z');

describe('Quotas (the limiter, on an injected clock)', () => {
  it('admits 200 CreateChatToken calls in an instant and refuses the 201st', () => {
    const quotas = new Quotas(undefined, new ManualClock(START));
    const taken = Array.from({ length: 201 }, () => quotas.take('CreateChatToken'));
    assert.equal(taken.filter(Boolean).length, 200);
    assert.equal(taken.at(-1), false);
  });

  it('refills at the rate: one call back every 5 ms at 200 TPS, a full second back after a second', () => {
    const clock = new ManualClock(START);
    const quotas = new Quotas(undefined, clock);
    for (let i = 0; i < 200; i++) quotas.take('CreateChatToken');
    clock.advance(4);
    assert.equal(quotas.take('CreateChatToken'), false);
    clock.advance(1);
    assert.equal(quotas.take('CreateChatToken'), true);
    assert.equal(quotas.take('CreateChatToken'), false);
    clock.advance(1000);
    const taken = Array.from({ length: 201 }, () => quotas.take('CreateChatToken'));
    assert.equal(taken.filter(Boolean).length, 200);
  });

  it('never refuses 190 calls a second, evenly spaced or all at the start of each second', () => {
    const even = new ManualClock(START);
    const evenQuotas = new Quotas(undefined, even);
    const bunched = new ManualClock(START);
    const bunchedQuotas = new Quotas(undefined, bunched);
    let refused = 0;
    for (let second = 0; second < 30; second++) {
      for (let i = 0; i < 190; i++) {
        if (!evenQuotas.take('CreateChatToken')) refused++;
        even.advance(1000 / 190);
        if (!bunchedQuotas.take('CreateChatToken')) refused++;
      }
      bunched.advance(1000);
    }
    assert.equal(refused, 0);
  });

  it('refuses a steady 250 calls a second within 4 s, and admits 200 a second after that', () => {
    const clock = new ManualClock(START);
    const quotas = new Quotas(undefined, clock);
    const admittedPerSecond: number[] = [];
    let firstRefusalMs: number | undefined;
    for (let second = 0; second < 10; second++) {
      let admitted = 0;
      for (let i = 0; i < 250; i++) {
        if (quotas.take('CreateChatToken')) admitted++;
        else firstRefusalMs ??= clock.now().getTime() - START.getTime();
        clock.advance(4);
      }
      admittedPerSecond.push(admitted);
    }
    // A full bucket (200) drains at 250 - 200 = 50 a second: empty after 4 s.
    assert.ok(
      firstRefusalMs !== undefined && firstRefusalMs <= 4000,
      `first refusal at ${firstRefusalMs} ms`,
    );
    for (const admitted of admittedPerSecond.slice(5)) assert.equal(admitted, 200);
  });

  it('gives every operation its own bucket at the rate AWS lists for it', () => {
    const expected: Record<RatedOperation, number> = {
      CreateChatToken: 200,
      DeleteMessage: 100,
      DisconnectUser: 100,
      SendEvent: 100,
      CreateRoom: 5,
      GetRoom: 5,
      ListRooms: 5,
      UpdateRoom: 5,
      DeleteRoom: 5,
      CreateLoggingConfiguration: 3,
      GetLoggingConfiguration: 3,
      ListLoggingConfigurations: 3,
      UpdateLoggingConfiguration: 3,
      DeleteLoggingConfiguration: 3,
      TagResource: 10,
      UntagResource: 10,
      ListTagsForResource: 10,
    };
    const quotas = new Quotas(undefined, new ManualClock(START));
    const names = Object.keys(DEFAULT_RATES).filter(isRatedOperation);
    for (const name of names) {
      const admitted = Array.from({ length: expected[name] + 5 }, () => quotas.take(name)).filter(Boolean);
      assert.equal(admitted.length, expected[name], name);
    }
    assert.deepEqual(names.sort(), Object.keys(expected).sort());
  });

  it('admits everything when off, and has no connection quota', () => {
    const quotas = new Quotas(QUOTAS_OFF, new ManualClock(START));
    const admitted = Array.from({ length: 1000 }, () => quotas.take('CreateRoom')).filter(Boolean).length;
    assert.equal(admitted, 1000);
    assert.equal(quotas.enabled, false);
    assert.equal(quotas.maxConnections, Number.POSITIVE_INFINITY);
  });

  it('takes overrides and refuses ones it cannot enforce', () => {
    const clock = new ManualClock(START);
    const quotas = new Quotas({ maxConnections: 7, rates: { CreateChatToken: 2 } }, clock);
    assert.equal(quotas.maxConnections, 7);
    assert.deepEqual(
      Array.from({ length: 3 }, () => quotas.take('CreateChatToken')),
      [true, true, false],
    );
    assert.throws(() => new Quotas({ maxConnections: 0 }, clock), QuotaConfigError);
    assert.throws(() => new Quotas({ maxConnections: 1.5 }, clock), QuotaConfigError);
    assert.throws(() => new Quotas({ rates: { CreateRoom: 0 } }, clock), QuotaConfigError);
    // A JavaScript caller (or a cast) can name an operation the types do not know.
    const unknownName: Record<string, number> = { SendMessage: 10 };
    assert.throws(() => new Quotas({ rates: unknownName }, clock), /names no rated operation: SendMessage/);
  });
});

describe('EMULATOR_QUOTAS and EMULATOR_MAX_CONNECTIONS', () => {
  it('is on when unset, empty or "on", and off only for "off"', () => {
    assert.deepEqual(quotaOptionsFromEnv({}), {});
    assert.deepEqual(quotaOptionsFromEnv({ EMULATOR_QUOTAS: '' }), {});
    assert.deepEqual(quotaOptionsFromEnv({ EMULATOR_QUOTAS: 'on' }), {});
    assert.deepEqual(quotaOptionsFromEnv({ EMULATOR_QUOTAS: 'off' }), QUOTAS_OFF);
  });

  it('refuses any other value with an error naming the variable', () => {
    for (const value of ['OFF', 'false', '0', 'no', 'disabled', 'of']) {
      assert.throws(
        () => quotaOptionsFromEnv({ EMULATOR_QUOTAS: value }),
        (error: unknown) =>
          error instanceof QuotaConfigError &&
          error.message === `EMULATOR_QUOTAS must be on or off; got "${value}"`,
        value,
      );
    }
  });

  it('raises or lowers the connection quota, and refuses a bad number or one with quotas off', () => {
    assert.deepEqual(quotaOptionsFromEnv({ EMULATOR_MAX_CONNECTIONS: '120000' }), {
      maxConnections: 120_000,
    });
    for (const value of ['0', '-1', '1.5', 'many', '1e6', '1000000000']) {
      assert.throws(
        () => quotaOptionsFromEnv({ EMULATOR_MAX_CONNECTIONS: value }),
        /^QuotaConfigError: EMULATOR_MAX_CONNECTIONS must be a whole number/,
        value,
      );
    }
    assert.throws(
      () => quotaOptionsFromEnv({ EMULATOR_QUOTAS: 'off', EMULATOR_MAX_CONNECTIONS: '10' }),
      /set one or the other/,
    );
  });
});
