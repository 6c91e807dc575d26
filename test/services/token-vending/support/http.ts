import assert from 'node:assert/strict';
import { isRecord } from '../../../../shared/json.js';

/** A response's JSON body as an object (supertest types it `any`; tests read it as `unknown`). */
export function body(res: { readonly body: unknown }): Record<string, unknown> {
  const value = res.body;
  assert.ok(isRecord(value), 'the body is a JSON object');
  return value;
}

/** The value at a path inside parsed JSON, or undefined. */
export function at(value: unknown, ...path: readonly (string | number)[]): unknown {
  let current = value;
  for (const step of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = Reflect.get(current, step);
  }
  return current;
}

/** `POST /v1/chat-tokens` over real HTTP, with the JWT as a bearer token when given. */
export function requestChatToken(baseUrl: string, body: unknown, jwt?: string): Promise<Response> {
  return fetch(`${baseUrl}/v1/chat-tokens`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(jwt === undefined ? {} : { authorization: `Bearer ${jwt}` }),
    },
    body: JSON.stringify(body),
  });
}
