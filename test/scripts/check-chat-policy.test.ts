import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CHAT_POLICY_MAX_LENGTH,
  checkChatPolicy,
  parameterOverride,
} from '../../scripts/check-chat-policy.js';
import { readTemplate, repoRoot } from '../../scripts/sam-template.js';
import { isRecord } from '../../shared/json.js';

describe('npm run check:chat-policy', () => {
  it('prints the example policy as one line the ChatPolicy parameter accepts', () => {
    const text = readFileSync(join(repoRoot, 'services/token-vending/policy.example.json'), 'utf8');

    const result = checkChatPolicy(text);

    assert.ok(result.ok);
    assert.ok(!result.compact.includes('\n'));
    assert.deepEqual(JSON.parse(result.compact), JSON.parse(text));
  });

  it('refuses a policy the service would refuse, with the service message', () => {
    const result = checkChatPolicy(
      '{"roles":[{"name":"user","capabilities":["SEND"],"maxSessionMinutes":60}]}',
    );

    assert.ok(!result.ok);
    assert.match(result.reason, /roles\[0\]\.capabilities\[0\] must be one of SEND_MESSAGE/);
  });

  it('refuses text that is not JSON, and a policy longer than the parameter takes', () => {
    assert.ok(!checkChatPolicy('{roles').ok);
    const long = { deniedRoles: Array.from({ length: 200 }, (_, i) => `role-${i}-xxxxxxxxxxxx`) };
    const result = checkChatPolicy(JSON.stringify(long));
    assert.ok(!result.ok);
    assert.match(result.reason, /at most 2048/);
  });

  it('uses the same length limit as the template parameter', () => {
    const parameters = readTemplate().Parameters;
    assert.ok(isRecord(parameters) && isRecord(parameters.ChatPolicy));
    assert.equal(parameters.ChatPolicy.MaxLength, CHAT_POLICY_MAX_LENGTH);
  });

  it('prints a --parameter-overrides entry whose double-quoted value unescapes to the same JSON', () => {
    const compact = JSON.stringify({
      attributes: [{ name: 'displayName', claim: 'a\\b "x"', maxLength: 9 }],
    });

    const entry = parameterOverride(compact);

    const match = /^ChatPolicy="((?:[^"\\]|\\.)*)"$/.exec(entry);
    assert.ok(match?.[1] !== undefined, entry);
    assert.equal(match[1].replace(/\\(.)/g, '$1'), compact);
  });
});
