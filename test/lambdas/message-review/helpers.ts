import assert from 'node:assert/strict';
import { compilePolicy, type CompiledPolicy } from '../../../lambdas/message-review/policy.js';

/** Compiles a policy that must be valid. */
export function policyOf(input: unknown = {}): CompiledPolicy {
  const compiled = compilePolicy(input);
  assert.ok(compiled.ok, compiled.ok ? '' : compiled.problem);
  return compiled.value;
}

export const ROOM_ARN = 'arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456';

export function reviewEvent(
  content: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    Content: content,
    MessageId: 'abcDEF123456',
    RoomArn: ROOM_ARN,
    Attributes: { client: 'web' },
    Sender: { UserId: 'u-1', Attributes: { displayName: 'Ann', role: 'user' }, Ip: '203.0.113.9' },
    ...overrides,
  };
}
