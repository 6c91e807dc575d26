/**
 * scripts/rollback.sh against a stand-in `aws` on PATH that answers the four AWS CLI calls the
 * script makes from a small state file and records every call: what the script would do to a real
 * account, without one.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../../scripts/sam-template.js';

const FAKE_AWS = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const dir = path.dirname(process.argv[1]);
const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
const args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, 'calls.log'), args.join(' ') + '\\n');
const option = (name) => args[args.indexOf(name) + 1];
const command = args.slice(0, 2).join(' ');
if (command === 'cloudformation describe-stack-resource') {
  const name = state.functions[option('--logical-resource-id')];
  if (!name) { process.stderr.write('Resource not found\\n'); process.exit(254); }
  console.log(name);
} else if (command === 'lambda get-alias') {
  console.log(state.alias[option('--function-name')]);
} else if (command === 'lambda list-versions-by-function') {
  console.log(['$LATEST', ...state.versions[option('--function-name')]].join('\\t'));
} else if (command === 'lambda update-alias') {
  state.alias[option('--function-name')] = option('--function-version');
  fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state));
  console.log('{}');
} else {
  process.stderr.write('unexpected call: ' + args.join(' ') + '\\n');
  process.exit(2);
}
`;

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface State {
  functions: Record<string, string>;
  alias: Record<string, string>;
  versions: Record<string, string[]>;
}

function fakeAccount(state: State): {
  run: (...args: string[]) => ReturnType<typeof spawnSync>;
  state: () => State;
  calls: () => string[];
} {
  const dir = mkdtempSync(join(tmpdir(), 'rollback-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'aws'), FAKE_AWS);
  chmodSync(join(dir, 'aws'), 0o755);
  writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
  writeFileSync(join(dir, 'calls.log'), '');
  return {
    run: (...args) =>
      spawnSync('bash', [join(repoRoot, 'scripts/rollback.sh'), ...args], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
        timeout: 20_000,
      }),
    state: () => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as State,
    calls: () => readFileSync(join(dir, 'calls.log'), 'utf8').split('\n').filter(Boolean),
  };
}

const deployed = (): State => ({
  functions: { MessageReviewFunction: 'chat-review-AbC', TokenVendingFunction: 'chat-token-XyZ' },
  alias: { 'chat-review-AbC': '7', 'chat-token-XyZ': '12' },
  versions: { 'chat-review-AbC': ['1', '5', '6', '7'], 'chat-token-XyZ': ['9', '10', '11', '12'] },
});

describe('scripts/rollback.sh', () => {
  it('moves both live aliases to the previous published version', () => {
    const account = fakeAccount(deployed());

    const result = account.run('chat');

    assert.equal(result.status, 0, String(result.stderr));
    assert.deepEqual(account.state().alias, { 'chat-review-AbC': '6', 'chat-token-XyZ': '11' });
    assert.match(String(result.stdout), /MessageReviewFunction: live moved from version 7 to 6/);
    assert.match(String(result.stdout), /TokenVendingFunction: live moved from version 12 to 11/);
  });

  it('skips gaps in version numbers and never picks $LATEST', () => {
    const state = deployed();
    state.alias['chat-review-AbC'] = '5';
    const account = fakeAccount(state);

    const result = account.run('chat', '--function', 'MessageReviewFunction');

    assert.equal(result.status, 0, String(result.stderr));
    assert.equal(account.state().alias['chat-review-AbC'], '1');
    assert.equal(account.state().alias['chat-token-XyZ'], '12', 'the other function is untouched');
  });

  it('rolls forward again to a given version', () => {
    const state = deployed();
    state.alias['chat-token-XyZ'] = '11';
    const account = fakeAccount(state);

    const result = account.run('chat', '--function', 'TokenVendingFunction', '--to', '12');

    assert.equal(result.status, 0, String(result.stderr));
    assert.equal(account.state().alias['chat-token-XyZ'], '12');
  });

  it('changes nothing in a dry run', () => {
    const account = fakeAccount(deployed());

    const result = account.run('chat', '--dry-run');

    assert.equal(result.status, 0, String(result.stderr));
    assert.deepEqual(account.state().alias, deployed().alias);
    assert.ok(!account.calls().some((call) => call.startsWith('lambda update-alias')));
    assert.match(String(result.stdout), /would move from version 7 to 6/);
  });

  it('fails without changing anything when there is no older version', () => {
    const state = deployed();
    state.alias['chat-review-AbC'] = '1';
    const account = fakeAccount(state);

    const result = account.run('chat', '--function', 'MessageReviewFunction');

    assert.equal(result.status, 1);
    assert.match(String(result.stderr), /no version older than 1/);
    assert.equal(account.state().alias['chat-review-AbC'], '1');
  });

  it('refuses --to without --function, and a stack it cannot find', () => {
    const account = fakeAccount(deployed());

    assert.equal(account.run('chat', '--to', '3').status, 2);
    const missing = fakeAccount({ ...deployed(), functions: {} }).run('gone');
    assert.notEqual(missing.status, 0);
    assert.deepEqual(account.state().alias, deployed().alias);
  });
});
