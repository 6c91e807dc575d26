// `npm run test:resilience`: the resilience suite (test/resilience/) alone, short form; with
// `-- --long` it adds the ten-minute soak. The short form also runs inside `npm test`.
import { spawnSync } from 'node:child_process';

const long = process.argv.includes('--long');
const result = spawnSync(process.execPath, ['scripts/run-tests.mjs', 'test/resilience/'], {
  stdio: 'inherit',
  env: { ...process.env, ...(long ? { RESILIENCE_LONG: '1', TEST_TIMEOUT_MS: String(20 * 60_000) } : {}) },
});
process.exit(result.status ?? 1);
