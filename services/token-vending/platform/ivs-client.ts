/** The IVS Chat client, built once per process or container (its failures are mapped in errors.ts). */
import { IvschatClient } from '@aws-sdk/client-ivschat';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { withDeadline } from '../../../shared/aws/deadline.js';
import type { IvsConfig } from '../config.js';

export function createIvsClient(config: IvsConfig): IvschatClient {
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  const client = new IvschatClient({
    ...(config.region === undefined ? {} : { region: config.region }),
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    // The emulator ignores SigV4, but the SDK still signs and so needs some credentials (IVS Chat API reference: every call is SigV4-signed).
    ...(config.dummyCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    // Bounded retries: the SDK retries throttling and 5xx; the timeouts below are per attempt, and
    // withDeadline caps the whole call (retries and backoff included) at config.deadlineMs.
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
  return withDeadline(client, config.deadlineMs);
}

export { IVS_RETRY_AFTER_SECONDS, mapIvsError } from './upstream-errors.js';
