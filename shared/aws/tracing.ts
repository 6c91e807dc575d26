/**
 * X-Ray subsegments for the SDK clients of the token and history functions: with Active tracing on
 * (template.yaml), each DynamoDB and IVS call then shows in the function's trace with its latency
 * and outcome, so a slow or throttled upstream can be told from the function's own time. Powertools
 * Tracer is the ecosystem's way (AWS documentation: "Tracer" in Powertools for AWS Lambda
 * (TypeScript)); it instruments nothing outside Lambda (no AWS_EXECUTION_ENV: tests, the local
 * stack) and when POWERTOOLS_TRACE_ENABLED is false. The review function is left uninstrumented: its
 * path is tens of microseconds and its one table read is not worth a subsegment per message.
 * What this costs in bundle size and cold start: docs/benchmarks.md ("Tracing"), `npm run bench:tracing`.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

/** Anything the SDK's middleware stack can be added to (a service client or a document client). */
type Instrumentable = Parameters<Tracer['captureAWSv3Client']>[0];

/** Instruments the clients in place (built once per container, at module scope). */
export function traceClients(serviceName: string, clients: readonly Instrumentable[]): void {
  const tracer = new Tracer({ serviceName });
  for (const client of clients) tracer.captureAWSv3Client(client);
}
