// The rehearsal's Lambda runtime interface client: what /var/runtime does for a Node.js function.
// It loads the handler named by _HANDLER from LAMBDA_TASK_ROOT, then loops on the Runtime API the
// parent serves at AWS_LAMBDA_RUNTIME_API (next -> handler -> response | error), as described in
// "Using the Lambda runtime API for custom runtimes" (AWS Lambda Developer Guide).
// Only node: built-ins here: the function's copy must not reach anything else.
import { statSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const API = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const handlerString = process.env._HANDLER ?? '';

function call(method, path, body, extraHeaders = {}) {
  return new Promise((resolvePromise, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    const req = request(
      `${API}${path}`,
      {
        method,
        agent: false,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          ...extraHeaders,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolvePromise({ headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

// The Lambda Node.js runtime's error names (its Runtime.* classes), so the caller sees the same errorType.
class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

function errorPayload(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function postError(path, error) {
  const payload = errorPayload(error);
  return call('POST', path, JSON.stringify(payload), {
    'lambda-runtime-function-error-type': payload.errorType,
  });
}

function parseHandler(value) {
  if (value.includes('..')) {
    throw new RuntimeError(
      'Runtime.MalformedHandlerName',
      `'${value}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const slash = value.lastIndexOf('/') + 1;
  const file = value.slice(slash);
  const dot = file.indexOf('.');
  if (dot < 1) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  return {
    moduleRoot: value.slice(0, slash),
    moduleName: file.slice(0, dot),
    handlerPath: file.slice(dot + 1).split('.'),
  };
}

// As the runtime does: the path as given, then .js, .mjs, .cjs; a .js follows the nearest
// package.json "type" because import() does.
async function loadModule({ moduleRoot, moduleName }) {
  const base = resolve(taskRoot, moduleRoot, moduleName);
  try {
    for (const extension of ['', '.js', '.mjs', '.cjs']) {
      const candidate = `${base}${extension}`;
      if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) {
        return await import(pathToFileURL(candidate).href);
      }
    }
    const require = createRequire(join(taskRoot, 'index.js'));
    return require(require.resolve(moduleName, { paths: [taskRoot, join(taskRoot, moduleRoot)] }));
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', String(error));
    if (error?.code === 'MODULE_NOT_FOUND' || error?.code === 'ERR_MODULE_NOT_FOUND') {
      throw new RuntimeError('Runtime.ImportModuleError', String(error));
    }
    throw error;
  }
}

async function loadHandler() {
  const parsed = parseHandler(handlerString);
  const module = await loadModule(parsed);
  let handler = module;
  for (const part of parsed.handlerPath) handler = handler?.[part];
  if (handler === undefined) {
    throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is not a function`);
  }
  return handler;
}

function contextFor(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  return {
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    clientContext: undefined,
    identity: undefined,
  };
}

function runHandler(handler, event, context) {
  if (handler.length < 3) return Promise.resolve().then(() => handler(event, context));
  // A callback-style handler (Node.js 22 and earlier still accept them).
  return new Promise((resolvePromise, reject) => {
    const result = handler(event, context, (error, value) => (error ? reject(error) : resolvePromise(value)));
    if (result && typeof result.then === 'function') result.then(resolvePromise, reject);
  });
}

let currentRequestId;

// An exception nobody catches ends the process as on Lambda, after reporting it for the invocation.
async function failFatally(error) {
  try {
    if (currentRequestId) await postError(`/invocation/${currentRequestId}/error`, error);
    else await postError('/init/error', error);
  } finally {
    process.exit(129);
  }
}
process.on('uncaughtException', (error) => void failFatally(error));
process.on('unhandledRejection', (reason) => void failFatally(reason));

let handler;
try {
  handler = await loadHandler();
} catch (error) {
  await postError('/init/error', error);
  process.exit(129);
}

for (;;) {
  const next = await call('GET', '/invocation/next');
  const requestId = next.headers['lambda-runtime-aws-request-id'];
  currentRequestId = requestId;
  // Lambda freezes the environment rather than letting the process end while an invocation is
  // outstanding; this timer keeps a handler awaiting a never-settling promise alive until the
  // parent enforces the timeout.
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    const result = await runHandler(handler, JSON.parse(next.body), contextFor(next.headers));
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch {
      throw new RuntimeError('Runtime.JSONStringifyError', 'Unable to stringify response body');
    }
    await call('POST', `/invocation/${requestId}/response`, body);
  } catch (error) {
    await postError(`/invocation/${requestId}/error`, error);
  } finally {
    clearInterval(keepAlive);
    currentRequestId = undefined;
  }
}
