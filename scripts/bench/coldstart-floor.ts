/**
 * The cold-start bench's floor for the token function: its named stack and nothing of the service.
 * The entry imports what the token function's bundle imports from outside the repository, builds the
 * clients, instruments them and makes an app with one route, as the function's init does, and does no
 * more. `npm run bench:coldstart` builds it with the token function's esbuild options (scripts/build.ts):
 * what the token function's init costs over it is the service's own. With `--parts` it also builds the
 * entry without each part in turn: what that part costs is the whole minus the rest.
 */

interface Part {
  readonly imports: readonly string[];
  /** Code run at init; `clients` and `kept` are declared before every part. */
  readonly code: string;
}

export const FLOOR_PARTS = {
  /** The IVS Chat and DynamoDB clients and the document client over the latter. */
  sdk: {
    imports: [
      "import { IvschatClient } from '@aws-sdk/client-ivschat';",
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    ],
    code: 'clients.push(new IvschatClient({}), DynamoDBDocumentClient.from(new DynamoDBClient({})));',
  },
  /** Powertools Tracer on those clients (on in Lambda, where AWS_EXECUTION_ENV is set). */
  tracer: {
    imports: ["import { Tracer } from '@aws-lambda-powertools/tracer';"],
    code: "{ const tracer = new Tracer({ serviceName: 'coldstart-floor' }); for (const client of clients) tracer.captureAWSv3Client(client); }",
  },
  /** Express with helmet and its JSON body parser, one route, behind serverless-http. */
  express: {
    imports: [
      "import express from 'express';",
      "import helmet from 'helmet';",
      "import serverless from 'serverless-http';",
    ],
    code: [
      'const app = express();',
      'app.use(helmet());',
      'app.use(express.json({ limit: 4096 }));',
      "app.post('/v1/chat-tokens', (_req, res) => { res.json({ ok: true }); });",
      'kept.push(serverless(app));',
    ].join('\n'),
  },
  jsonwebtoken: {
    imports: ["import jwt from 'jsonwebtoken';"],
    code: 'kept.push(jwt.verify);',
  },
  /** zod's mini build, as the service imports it, and one schema. */
  zod: {
    imports: ["import * as z from 'zod/mini';"],
    code: 'kept.push(z.object({ roomIdentifier: z.string().check(z.maxLength(128)) }));',
  },
} as const satisfies Record<string, Part>;

export type FloorPart = keyof typeof FLOOR_PARTS;

/** The entry's source: every part, or every part but `omit`. */
export function floorSource(omit?: FloorPart): string {
  const parts = Object.entries(FLOOR_PARTS)
    .filter(([name]) => name !== omit)
    .map(([, part]) => part);
  return [
    ...parts.flatMap((part) => part.imports),
    'const clients: any[] = [];',
    'const kept: unknown[] = [];',
    ...parts.map((part) => part.code),
    'export const handler = async (): Promise<number> => kept.length + clients.length;',
  ].join('\n');
}
