import request from 'supertest';
import { buildTestApp, ROOM_ARN } from '/work/wt-core/test/services/token-vending/support/app.js';
import { startJwksServer, newRsaKey, signToken } from '/work/wt-core/test/services/token-vending/support/jwks-server.js';
const key = newRsaKey('k1');
const jwks = await startJwksServer([key]);
const t = buildTestApp({ jwksUri: jwks.jwksUri, logLevel: 'debug' });
const res = await request(t.app).post('/v1/chat-tokens').set('Authorization', 'Bearer ' + signToken(key, { sub: 'u1', roles: [] })).send({ roomIdentifier: ROOM_ARN });
console.log(res.status, res.body, t.logs.filter(l => l.includes('error')).slice(0,3));
await jwks.close();
