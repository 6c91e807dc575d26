/**
 * X-Ray subsegments for the token and history functions' SDK clients (shared/aws/tracing.ts): in a
 * Lambda-like environment, a DynamoDB call through an instrumented table client reaches a real UDP
 * listener standing in for the X-Ray daemon as a `DynamoDB` subsegment of the invocation's trace;
 * outside Lambda (tests, the local stack) nothing is sent. Each case runs in a fresh process, since
 * the X-Ray SDK reads its environment when it loads.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startLocalTable, type LocalTable } from '../../../services/local-dynamodb/start.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const PARENT = '53995c3f42cd8ad8';

/** One GetItem through an instrumented table client, in a child with exactly `env`. */
const CHILD = `
const { createTableClient } = await import(${JSON.stringify(`${root}shared/table/client.ts`)});
const { traceClients } = await import(${JSON.stringify(`${root}shared/aws/tracing.ts`)});
const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
const client = createTableClient({ endpoint: process.env.TEST_TABLE_URL, region: 'us-east-1', dummyCredentials: true });
traceClients('tracing-test', [client]);
await client.send(new GetCommand({ TableName: process.env.TEST_TABLE, Key: { pk: 'a', sk: 'b' } }));
client.destroy();
`;

function runChild(env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (status) => {
      clearTimeout(timer);
      if (status === 0) resolve();
      else reject(new Error(`child exited with ${status}: ${stderr.slice(0, 2000)}`));
    });
  });
}

let table: LocalTable;
let daemon: Socket;
let port = 0;
const received: string[] = [];

before(async () => {
  table = await startLocalTable();
  daemon = createSocket('udp4');
  daemon.on('message', (message) => received.push(message.toString('utf8')));
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  port = daemon.address().port;
});
after(async () => {
  daemon.close();
  await table.close();
});

/** The subsegments received since `from`, parsed (each datagram: a header line, then the document). */
function subsegments(from: number): Record<string, unknown>[] {
  return received.slice(from).map((datagram) => {
    const document: unknown = JSON.parse(datagram.slice(datagram.indexOf('\n') + 1));
    assert.ok(typeof document === 'object' && document !== null);
    return { ...document };
  });
}

/** Datagrams are sent as the call ends; give the last one a moment to arrive. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 200));

describe('traceClients', () => {
  it('sends each DynamoDB call as a subsegment of the invocation trace, in Lambda', async () => {
    const from = received.length;
    await runChild({
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: root,
      AWS_LAMBDA_FUNCTION_NAME: 'tracing-test',
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
      _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=${PARENT};Sampled=1`,
      TEST_TABLE_URL: table.endpoint,
      TEST_TABLE: table.tableName,
    });
    await settle();
    const found = subsegments(from);
    assert.equal(found.length, 1, 'one call, one subsegment');
    const segment = found[0] ?? {};
    const aws: unknown = segment.aws;
    assert.ok(typeof aws === 'object' && aws !== null);
    assert.deepEqual(
      {
        name: segment.name,
        type: segment.type,
        trace: segment.trace_id,
        parent: segment.parent_id,
        operation: Reflect.get(aws, 'operation') as unknown,
        table: Reflect.get(aws, 'table_name') as unknown,
      },
      {
        name: 'DynamoDB',
        type: 'subsegment',
        trace: TRACE_ROOT,
        parent: PARENT,
        operation: 'GetItem',
        table: table.tableName,
      },
    );
  });

  it('sends nothing outside Lambda', async () => {
    const from = received.length;
    await runChild({
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
      TEST_TABLE_URL: table.endpoint,
      TEST_TABLE: table.tableName,
    });
    await settle();
    assert.deepEqual(subsegments(from), []);
  });
});
