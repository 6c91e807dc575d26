/**
 * In AWS, API Gateway answers CORS from template.yaml and the app's CORS headers never reach a
 * browser; in a process the app answers. The two must agree, or a header the demo page relies on
 * (Retry-After after a 429/503, X-Request-Id) is readable locally and invisible in AWS.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { isRecord } from '../../shared/json.js';
import { readTemplate, resources } from '../../scripts/sam-template.js';
import {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
  CORS_METHODS,
} from '../../services/token-vending/platform/cors.js';
import { createApp } from '../../services/token-vending/app.js';
import { DEFAULT_POLICY } from '../../services/token-vending/access/chat-policy.js';
import { createLogger } from '../../shared/logger.js';
import { createTableClient } from '../../shared/table/client.js';
import { createIvsClient } from '../../services/token-vending/platform/ivs-client.js';

const ORIGIN = 'https://app.example.com';

/** The HTTP API's CorsConfiguration (the `then` branch of its `!If`). */
function templateCors(): Record<string, unknown> {
  const api = resources(readTemplate()).TokenApi;
  assert.ok(isRecord(api) && isRecord(api.Properties));
  const config = api.Properties.CorsConfiguration;
  assert.ok(isRecord(config));
  const branches = config['Fn::If'];
  assert.ok(Array.isArray(branches) && isRecord(branches[1]));
  return branches[1];
}

function lowerSet(value: unknown): string[] {
  assert.ok(Array.isArray(value), 'a list');
  return value.map((item) => String(item).toLowerCase()).sort();
}

function listHeader(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean)
    .sort();
}

describe('CORS in template.yaml and in the app', () => {
  const cors = templateCors();

  it('exposes Retry-After and X-Request-Id to browsers in AWS as the app does', () => {
    assert.deepEqual(lowerSet(cors.ExposeHeaders), lowerSet(CORS_EXPOSED_HEADERS));
    assert.ok(lowerSet(cors.ExposeHeaders).includes('retry-after'));
  });

  it('allows the same request headers (X-Request-Id included) and methods', () => {
    assert.deepEqual(lowerSet(cors.AllowHeaders), lowerSet(CORS_ALLOWED_HEADERS));
    // API Gateway needs OPTIONS listed; the app answers preflights itself.
    assert.deepEqual(lowerSet(cors.AllowMethods), lowerSet([...CORS_METHODS, 'OPTIONS']));
    assert.equal(cors.MaxAge, CORS_MAX_AGE_SECONDS);
  });

  it('is what the app answers a preflight and a request with', async () => {
    // Prepare: no call reaches IVS or the table; the clients only need to exist.
    const ivs = createIvsClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      dummyCredentials: true,
      connectionTimeoutMs: 100,
      requestTimeoutMs: 100,
      maxAttempts: 1,
      deadlineMs: 100,
    });
    const client = createTableClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      dummyCredentials: true,
    });
    const app = createApp({
      ivs,
      table: { name: 't', client },
      region: 'us-east-1',
      verifier: { verify: () => Promise.reject(new Error('unused')) },
      policy: DEFAULT_POLICY,
      clock: Date.now,
      logger: createLogger({ level: 'silent' }),
      config: {
        allowAnonymous: false,
        corsOrigins: [ORIGIN],
        rateLimit: { max: 0, windowMs: 60_000 },
        trustProxy: 0,
        rooms: {
          reviewHandlerArn: undefined,
          fallbackResult: 'ALLOW',
          loggingConfigurationArn: undefined,
          accountId: '123456789012',
          partition: 'aws',
        },
      },
    });
    try {
      // Act
      const preflight = await request(app)
        .options('/v1/chat-tokens')
        .set('Origin', ORIGIN)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type,x-request-id');
      const simple = await request(app).get('/healthz').set('Origin', ORIGIN);
      // Assess
      assert.deepEqual(
        listHeader(preflight.headers['access-control-allow-headers']),
        lowerSet(cors.AllowHeaders),
      );
      assert.deepEqual(
        listHeader(preflight.headers['access-control-allow-methods']),
        lowerSet(cors.AllowMethods).filter((method) => method !== 'options'),
      );
      assert.deepEqual(
        listHeader(simple.headers['access-control-expose-headers']),
        lowerSet(cors.ExposeHeaders),
      );
    } finally {
      ivs.destroy();
      client.destroy();
    }
  });
});
