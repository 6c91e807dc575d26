/**
 * Which failures count as a dropped connection, and that an idempotent request is sent again once at
 * most (the real-socket cases: sender-standing.test.ts for the AWS SDK, jwks.test.ts for node:http,
 * review-handler.test.ts for fetch).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { againIfDropped, connectionDropped } from '../../shared/dropped-connection.js';

/** As the AWS SDK rejects a call whose connection was reset: Node's code, renamed TimeoutError. */
function sdkReset(code = 'ECONNRESET'): Error {
  return Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code, $metadata: {} });
}

describe('connectionDropped', () => {
  it('is true for a reset or broken pipe, with the code on the error (AWS SDK) or on its cause (fetch)', () => {
    assert.equal(connectionDropped(sdkReset()), true);
    assert.equal(connectionDropped(sdkReset('EPIPE')), true);
    const fetchFailure = new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } });
    assert.equal(connectionDropped(fetchFailure), true);
  });

  it('is false for an answered request, a timeout, an abort, another error or no error at all', () => {
    const answered = Object.assign(sdkReset(), { $metadata: { httpStatusCode: 500 } });
    assert.equal(connectionDropped(answered), false);
    assert.equal(connectionDropped(Object.assign(new Error('slow'), { code: 'ETIMEDOUT' })), false);
    assert.equal(connectionDropped(Object.assign(new Error('aborted'), { name: 'AbortError' })), false);
    assert.equal(connectionDropped(new Error('ConditionalCheckFailedException')), false);
    assert.equal(connectionDropped({ code: 'ECONNRESET' }), false);
    assert.equal(connectionDropped(undefined), false);
  });
});

describe('againIfDropped', () => {
  const live = new AbortController().signal;

  it('sends the request once more when its connection was dropped', async () => {
    let calls = 0;
    const result = await againIfDropped(live, () => {
      calls += 1;
      return calls === 1 ? Promise.reject(sdkReset()) : Promise.resolve('read');
    });

    assert.equal(result, 'read');
    assert.equal(calls, 2);
  });

  it('sends it at most twice in all', async () => {
    let calls = 0;
    const failure = sdkReset();
    await assert.rejects(
      againIfDropped(live, () => {
        calls += 1;
        return Promise.reject(failure);
      }),
      (error) => error === failure,
    );
    assert.equal(calls, 2);
  });

  it('does not send it again for another failure, or once the caller has given up', async () => {
    const aborted = new AbortController();
    aborted.abort();
    for (const [signal, failure] of [
      [live, new Error('ValidationException')],
      [aborted.signal, sdkReset()],
    ] as const) {
      let calls = 0;
      await assert.rejects(
        againIfDropped(signal, () => {
          calls += 1;
          return Promise.reject(failure);
        }),
        (error) => error === failure,
      );
      assert.equal(calls, 1);
    }
  });
});
