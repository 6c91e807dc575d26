/**
 * The token service as a separate process (`tsx services/token-vending/entry/server.ts`), as each instance
 * runs in production: nothing shared with the test or with other instances but the table and IVS.
 * It is handed to the test once its readiness check (/readyz) answers 200, as a load balancer routes
 * to an instance only then: that check makes the process's first table and IVS calls, which on a loaded
 * machine take seconds (the SDK's first connection, tsx compiling what they load) and would otherwise
 * land inside the first requests' deadlines of a test about something else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../../services/local-ivschat/functions.js';

export interface ServiceProcess {
  readonly url: string;
  stop(): Promise<void>;
}

export function startServiceProcess(env: Readonly<Record<string, string>>): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_ROOT, 'services/token-vending/entry/server.ts')],
    {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, PORT: '0', HOST: '127.0.0.1' },
      stdio: 'pipe',
    },
  );
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) {
        resolve();
        return;
      }
      child.once('exit', () => {
        resolve();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let output = '';
    let listening = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the service process was not ready in 60 s:\n${output}`));
    }, 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /token service: (http:\/\/\S+)/.exec(output);
      if (match?.[1] && !listening) {
        listening = true;
        const url = match[1];
        whenReady(url).then(
          () => {
            clearTimeout(timer);
            resolve({ url, stop });
          },
          (error: unknown) => {
            clearTimeout(timer);
            child.kill('SIGKILL');
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service process exited with ${String(code)}:\n${output}`));
    });
  });
}

/** Polls /readyz until it answers 200 (bounded by the caller's timer and 120 attempts). */
async function whenReady(url: string): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
      if (response.status === 200) return;
      last = `${String(response.status)} ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the service process never became ready: ${last}`);
}
