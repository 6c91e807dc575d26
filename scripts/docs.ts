/**
 * `npm run docs`: rewrites the parts of docs/ that are generated from the code: the access tables
 * (from the access model) and the API reference (from the routes' schemas, through OpenAPI). A test fails when the committed pages differ from what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withAccessTables } from './docs/access-table.js';
import { withApiReference } from './docs/api-reference.js';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');

export function generatedPages(): Record<string, string> {
  const access = join(root, 'docs', 'access.md');
  const api = join(root, 'docs', 'api.md');
  return {
    [access]: withAccessTables(readFileSync(access, 'utf8')),
    [api]: withApiReference(readFileSync(api, 'utf8')),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [path, text] of Object.entries(generatedPages())) writeFileSync(path, text);
}
