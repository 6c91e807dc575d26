/**
 * `npm run build`: esbuild bundles of every deployable entry, each a single minified file with a
 * source map. The AWS SDK is left out of Lambda bundles (the nodejs22.x runtime provides v3).
 * Prints each bundle's size.
 */
import { build, type BuildOptions } from 'esbuild';
import { copyFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join, relative } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Target {
  readonly name: string;
  readonly options: BuildOptions & { outfile: string };
  /** Files copied as they are beside `outfile` (e.g. a page's index.html). */
  readonly copy?: readonly string[];
}

export const lambdaDefaults = {
  bundle: true,
  minify: true,
  sourcemap: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  external: ['@aws-sdk/*'],
  // Licence comments (/*! … */, @license) go to the end of each bundle, as `sam build`'s esbuild does
  // by default: the word list's CC-BY-4.0 attribution travels with the code (THIRD_PARTY_NOTICES.md).
  legalComments: 'eof',
} as const satisfies BuildOptions;

/** The demo page: a browser bundle (SDK included, no framework), its CSS beside it, index.html copied. */
const chatDemo: Target = {
  name: 'chat-demo',
  options: {
    entryPoints: ['services/chat-demo/src/main.ts'],
    outfile: 'dist/chat-demo/app.js',
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: 'browser',
    format: 'esm',
    target: ['es2022'],
    legalComments: 'eof',
  },
  copy: ['services/chat-demo/index.html'],
};

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
    // Fed by a CloudWatch Logs subscription filter (locally by the emulator's chat log).
    name: 'chat-history',
    options: {
      ...lambdaDefaults,
      entryPoints: ['lambdas/chat-history/handler.ts'],
      outfile: 'dist/chat-history/index.js',
    },
  },
  {
    // Invoked every minute by a schedule: revocations, orphaned rooms, deleted rooms' stragglers.
    name: 'access-sweeper',
    options: {
      ...lambdaDefaults,
      entryPoints: ['lambdas/access-sweeper/handler.ts'],
      outfile: 'dist/access-sweeper/index.js',
    },
  },
  {
    // The token service bundles its AWS SDK (external: []): the deployed function then runs the exact
    // @aws-sdk/client-ivschat version the tests ran, not whatever the runtime ships that month.
    name: 'token-vending',
    options: {
      ...lambdaDefaults,
      external: [],
      entryPoints: ['services/token-vending/entry/lambda.ts'],
      outfile: 'dist/token-vending/index.js',
    },
  },
  chatDemo,
];

export async function buildAll(): Promise<void> {
  for (const target of targets) {
    await build({ absWorkingDir: root, logLevel: 'warning', ...target.options });
    if (target.options.format === 'cjs') {
      // The repository's package.json says "type": "module"; without this marker Node would load a
      // CommonJS bundle in dist/ as ESM (the emulator and `invoke:review` load it as Lambda does).
      writeFileSync(join(root, dirname(target.options.outfile), 'package.json'), '{ "type": "commonjs" }\n');
    }
    const outfile = join(root, target.options.outfile);
    for (const source of target.copy ?? [])
      copyFileSync(join(root, source), join(dirname(outfile), basename(source)));
    // A JS entry that imports CSS gets a .css file of the same name beside it.
    const css = outfile.replace(/\.js$/, '.css');
    const outputs = [outfile, ...(css !== outfile && existsSync(css) ? [css] : [])];
    for (const file of outputs) {
      const size = statSync(file).size;
      console.log(`built ${target.name.padEnd(16)} ${relative(root, file)}  ${(size / 1024).toFixed(1)} KiB`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildAll();
}
