// The runtime of one local Lambda function, in its own worker thread (as Lambda gives each function
// its own runtime and environment). Plain JavaScript on purpose: a worker must load without a
// TypeScript loader. Init loads the handler module once; each invocation gets a Lambda-like context.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const { modulePath, handlerName, context: base, timeoutMs } = workerData;

function pickHandler(mod) {
  const direct = mod[handlerName];
  if (typeof direct === 'function') return direct;
  const fromDefault = mod.default && mod.default[handlerName];
  if (typeof fromDefault === 'function') return fromDefault;
  return undefined;
}

function describe(error) {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message };
  return { errorType: typeof error, errorMessage: String(error) };
}

let handler;
try {
  handler = pickHandler(await import(pathToFileURL(modulePath).href));
  if (!handler) throw new Error(`${modulePath} does not export a function "${handlerName}"`);
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'init-error', error: describe(error) });
}

parentPort.on('message', async ({ id, event, awsRequestId }) => {
  if (!handler) {
    parentPort.postMessage({
      type: 'error',
      id,
      error: { errorType: 'Runtime.ImportModuleError', errorMessage: 'init failed' },
    });
    return;
  }
  const deadline = Date.now() + timeoutMs;
  const context = {
    ...base,
    awsRequestId,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(event, context);
    // Lambda returns the handler's result as JSON: whatever does not survive that is lost there too.
    const json = result === undefined ? undefined : JSON.stringify(result);
    parentPort.postMessage({ type: 'result', id, payload: json === undefined ? null : JSON.parse(json) });
  } catch (error) {
    parentPort.postMessage({ type: 'error', id, error: describe(error) });
  }
});
