import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseFunctionMap,
  PROJECT_ROOT,
  resolveFunction,
} from '../../../services/local-ivschat/functions.js';

describe('function map', () => {
  const map = parseFunctionMap(
    JSON.stringify({
      'message-review': { module: 'dist/message-review/index.js', env: { REVIEW_BUDGET_MS: '100' } },
      'arn:aws:lambda:eu-west-1:111111111111:function:special': {
        module: '/opt/special.mjs',
        handler: 'review',
      },
    }),
  );

  it('resolves a bare function name in any region and account, relative to the project', () => {
    const fn = resolveFunction(map, 'arn:aws:lambda:ap-south-1:222222222222:function:message-review');
    assert.ok(fn);
    assert.equal(fn.functionName, 'message-review');
    assert.equal(fn.region, 'ap-south-1');
    assert.equal(fn.modulePath, `${PROJECT_ROOT}/dist/message-review/index.js`);
    assert.deepEqual(fn.definition.env, { REVIEW_BUDGET_MS: '100' });
  });

  it('prefers an exact ARN and keeps a version qualifier apart from the name', () => {
    const exact = resolveFunction(map, 'arn:aws:lambda:eu-west-1:111111111111:function:special');
    const qualified = resolveFunction(
      map,
      'arn:aws:lambda:us-east-1:123456789012:function:message-review:live',
    );
    assert.equal(exact?.definition.handler, 'review');
    assert.equal(qualified?.qualifier, 'live');
  });

  it('resolves nothing for an unmapped function or a uri that is not a Lambda ARN', () => {
    assert.equal(resolveFunction(map, 'arn:aws:lambda:us-east-1:123456789012:function:other'), undefined);
    assert.equal(resolveFunction(map, 'https://example.com'), undefined);
  });

  it('refuses EMULATOR_FUNCTIONS that is not JSON, or an entry without a module', () => {
    assert.throws(() => parseFunctionMap('{nope'), /EMULATOR_FUNCTIONS must be JSON/);
    assert.throws(() => parseFunctionMap('{"f": {}}'), /EMULATOR_FUNCTIONS\["f"\] needs a "module" path/);
    assert.throws(
      () => parseFunctionMap('{"f": {"module": "m.js", "env": {"A": 1}}}'),
      /env\.A must be a string/,
    );
  });

  it('reads an unset EMULATOR_FUNCTIONS as an empty map', () => {
    assert.deepEqual(parseFunctionMap(undefined), {});
  });
});
