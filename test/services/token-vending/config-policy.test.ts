/**
 * The chat policy and the display-name claim through the environment: CHAT_POLICY (inline JSON, what
 * the SAM template's ChatPolicy parameter sets) is validated by the same parser as CHAT_POLICY_FILE.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../services/token-vending/config.js';
import { ConfigError } from '../../../services/token-vending/platform/problem.js';

const fixture = (name: string): string => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('configuration was accepted');
}

describe('CHAT_POLICY', () => {
  it('loads an inline policy exactly as the same document from a file', () => {
    const file = fixture('policies/strict.json');

    const inline = loadConfig({ CHAT_POLICY: readFileSync(file, 'utf8') }).policy;

    assert.deepEqual(inline, loadConfig({ CHAT_POLICY_FILE: file }).policy);
  });

  it('refuses an invalid inline policy with the same message as the file gets', () => {
    const file = fixture('policies/capability-typo.json');

    const inline = refusal({ CHAT_POLICY: readFileSync(file, 'utf8') });
    const fromFile = refusal({ CHAT_POLICY_FILE: file });

    assert.match(inline, /CHAT_POLICY: chat policy: roles\[0\]\.capabilities\[0\] must be one of/);
    assert.equal(inline.replace('CHAT_POLICY:', ''), fromFile.replace(`CHAT_POLICY_FILE ${file}:`, ''));
  });

  it('refuses inline text that is not JSON', () => {
    assert.match(refusal({ CHAT_POLICY: '{roles:' }), /CHAT_POLICY: .*JSON/);
  });

  it('refuses both CHAT_POLICY and CHAT_POLICY_FILE', () => {
    assert.match(
      refusal({ CHAT_POLICY: '{}', CHAT_POLICY_FILE: fixture('policies/strict.json') }),
      /set CHAT_POLICY or CHAT_POLICY_FILE, not both/,
    );
  });
});

describe('AUTH_NAME_CLAIM', () => {
  it('reads the displayName attribute from the named claim', () => {
    const config = loadConfig({ AUTH_NAME_CLAIM: 'preferred_username' });

    assert.equal(config.auth.nameClaim, 'preferred_username');
    assert.equal(
      config.policy.attributes.find((item) => item.name === 'displayName')?.claim,
      'preferred_username',
    );
  });

  it('overrides the claim a policy maps displayName from, and keeps the rest of the policy', () => {
    const config = loadConfig({
      CHAT_POLICY: JSON.stringify({ attributes: [{ name: 'displayName', claim: 'nick', maxLength: 32 }] }),
      AUTH_NAME_CLAIM: 'cognito:username',
    });

    assert.deepEqual(config.policy.attributes, [
      { name: 'displayName', claim: 'cognito:username', maxLength: 32 },
    ]);
  });

  it('refuses a claim name with spaces', () => {
    assert.match(refusal({ AUTH_NAME_CLAIM: 'display name' }), /AUTH_NAME_CLAIM: .*claim name/);
  });
});
