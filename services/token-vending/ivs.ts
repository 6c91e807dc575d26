/** The IVS Chat client, built once per process or container (its failures are mapped in errors.ts). */
import { IvschatClient } from '@aws-sdk/client-ivschat';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { IvsConfig } from './config.js';

export function createIvsClient(config: IvsConfig): IvschatClient {
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  return new IvschatClient({
    ...(config.region === undefined ? {} : { region: config.region }),
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    // The emulator ignores SigV4, but the SDK still signs and so needs some credentials (IVS Chat API reference: every call is SigV4-signed).
    ...(config.dummyCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    // Bounded retries: the SDK retries throttling and 5xx; with the timeouts below no token request
    // waits on IVS more than maxAttempts × (connection + request timeout) plus a short backoff.
    maxAttempts: config.maxAttempts,
    // Resolve the middleware stack once per command class, not on every send (a documented SDK
    // option; we never change the stack after creating the client).
    cacheMiddleware: true,
    requestHandler: {
      connectionTimeout: config.connectionTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      // Without this the handler only warns when requestTimeout passes and the request keeps waiting.
      throwOnRequestTimeout: true,
      httpAgent: new Agent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    },
  });
}

export { IVS_RETRY_AFTER_SECONDS, mapIvsError } from './errors.js';
