/**
 * The cold-start bench's floor for the token function: its named stack and nothing of the service.
 * It imports what the token function's bundle imports from outside the repository (the IVS Chat and
 * DynamoDB clients of the AWS SDK and the document client, Powertools Tracer, Express with helmet and
 * its JSON body parser, serverless-http, jsonwebtoken, zod's mini build), builds the clients, instruments them and
 * makes an app with one route, as the function's init does, and does no more. Built by
 * `npm run bench:coldstart` with the token function's esbuild options (scripts/build.ts); what the
 * token function's init costs over this is the service's own.
 */
import { IvschatClient } from '@aws-sdk/client-ivschat';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Tracer } from '@aws-lambda-powertools/tracer';
import express from 'express';
import helmet from 'helmet';
import jwt from 'jsonwebtoken';
import serverless from 'serverless-http';
import * as z from 'zod/mini';

const ivs = new IvschatClient({});
const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const tracer = new Tracer({ serviceName: 'coldstart-floor' });
tracer.captureAWSv3Client(ivs);
tracer.captureAWSv3Client(table);
const body = z.object({ roomIdentifier: z.string().check(z.maxLength(128)) });
const app = express();
app.use(helmet());
app.use(express.json({ limit: 4096 }));
app.post('/v1/chat-tokens', (req, res) => {
  const parsed = body.safeParse(req.body);
  res.json({ ok: parsed.success, verify: typeof jwt.verify });
});

export const handler = serverless(app);
