import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { at } from '../support/http.js';
import { buildTestApp } from '../support/app.js';

const site = {
  dir: fileURLToPath(new URL('../fixtures/site/', import.meta.url)),
  config: { apiBaseUrl: '', roomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234' },
  connectSources: [],
};

describe('GET /openapi.json and /config.json', () => {
  it('describes /config.json, with the room limits, when the service serves the page', async () => {
    const t = buildTestApp({ jwksUri: 'http://127.0.0.1:9/jwks.json', site });

    const res = await request(t.app).get('/openapi.json').expect(200);

    const schema = at(res.body, 'paths', '/config.json', 'get', 'responses', '200', 'content');
    assert.ok(schema, '/config.json is described');
    const ref = at(schema, 'application/json', 'schema', '$ref');
    assert.equal(typeof ref, 'string');
    const properties = at(res.body, ...String(ref).slice(2).split('/'), 'properties');
    for (const name of [
      'apiBaseUrl',
      'roomArn',
      'messagingUrl',
      'maximumMessageLength',
      'maximumMessageRatePerSecond',
    ])
      assert.ok(at(properties, name), name);
  });

  it('leaves /config.json out where it is not served (Lambda)', async () => {
    const t = buildTestApp({ jwksUri: 'http://127.0.0.1:9/jwks.json' });

    const res = await request(t.app).get('/openapi.json').expect(200);

    assert.equal(at(res.body, 'paths', '/config.json'), undefined);
    await request(t.app).get('/config.json').expect(404);
  });
});
