/**
 * `npm run build`: esbuild bundles of every deployable entry, each a single minified file with a
 * source map. The AWS SDK is left out of Lambda bundles (the nodejs22.x runtime provides v3).
 * Prints each bundle's size.
 */
import { build, type BuildOptions } from 'esbuild';
import { statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Target {
  readonly name: string;
  readonly options: BuildOptions & { outfile: string };
}

export const lambdaDefaults = {
  bundle: true,
  minify: true,
  sourcemap: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  external: ['@aws-sdk/*'],
  legalComments: 'none',
} as const satisfies BuildOptions;

export const targets: readonly Target[] = [
  {
    name: 'message-review',
    options: {
      ...lambdaDefaults,
      entryPoints: ['lambdas/message-review/handler.ts'],
      outfile: 'dist/message-review/index.js',
    },
  },
  {
    // The token service bundles its AWS SDK (external: []): the deployed function then runs the exact
    // @aws-sdk/client-ivschat version the tests ran, not whatever the runtime ships that month.
    name: 'token-vending',
    options: {
      ...lambdaDefaults,
      external: [],
      entryPoints: ['services/token-vending/lambda.ts'],
      outfile: 'dist/token-vending/index.js',
    },
  },
];

export async function buildAll(): Promise<void> {
  for (const target of targets) {
    await build({ absWorkingDir: root, logLevel: 'warning', ...target.options });
    if (target.options.format === 'cjs') {
      // The repository's package.json says "type": "module"; without this marker Node would load a
      // CommonJS bundle in dist/ as ESM (the emulator and `invoke:review` load it as Lambda does).
      writeFileSync(join(root, dirname(target.options.outfile), 'package.json'), '{ "type": "commonjs" }\n');
    }
    const size = statSync(join(root, target.options.outfile)).size;
    console.log(
      `built ${target.name.padEnd(16)} ${relative(root, join(root, target.options.outfile))}  ${(size / 1024).toFixed(1)} KiB`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildAll();
}
