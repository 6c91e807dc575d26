/**
 * The emulator's README is what a newcomer copies: its programmatic example runs as written (with the
 * `// …` replaced by waiting for the connection), and its variable table names every variable the
 * process reads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../../services/local-ivschat/functions.js';

const readme = readFileSync(join(PROJECT_ROOT, 'services/local-ivschat/README.md'), 'utf8');

describe('services/local-ivschat/README.md', () => {
  it('has a programmatic example that connects the messaging SDK through the emulator', () => {
    const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    assert.match(example, /startEmulator/);
    const start = pathToFileURL(join(PROJECT_ROOT, 'services/local-ivschat/start.ts')).href;
    const runnable = example
      .replace("'./services/local-ivschat/start.js'", `'${start}'`)
      .replace(
        'room.connect();\n// …\n',
        "await new Promise((resolve) => { room.addListener('connect', resolve); room.connect(); });\n" +
          'process.stdout.write(`example: ${room.state}\\n`);\n',
      );
    assert.notEqual(runnable, example);
    // Under node_modules, so the packages resolve from the project as the example's imports expect
    // (.mts: no package.json there says "module").
    const dir = join(PROJECT_ROOT, 'node_modules', '.cache', 'emulator-readme');
    const file = join(dir, `example-${process.pid}.mts`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, runnable);
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', file], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, LOG_LEVEL: 'silent' },
      });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^example: connected$/m);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('documents every variable `npm run emulator` reads', () => {
    const server = readFileSync(join(PROJECT_ROOT, 'services/local-ivschat/server.ts'), 'utf8');
    const quotas = readFileSync(join(PROJECT_ROOT, 'services/local-ivschat/quotas.ts'), 'utf8');
    const read = new Set(
      [...`${server}\n${quotas}`.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((match) => match[1] ?? ''),
    );
    assert.ok(read.has('EMULATOR_QUOTAS') && read.has('EMULATOR_PORT'), [...read].join(', '));
    for (const name of read) assert.match(readme, new RegExp(`^\\| \`${name}\` `, 'm'), name);
  });
});
