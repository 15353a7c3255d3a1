import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface FunctionDefinition {
  /** Template logical id. */
  readonly logicalId: string;
  /** Physical name the rehearsal gives it. */
  readonly functionName: string;
  /** arn:aws:lambda:<region>:<account>:function:<functionName> */
  readonly arn: string;
  /** A COPY of cdk.out/asset.<hash> outside the repository. */
  readonly assetDir: string;
  /** Template Handler, e.g. "index.handler". */
  readonly handler: string;
  /** Template Timeout. */
  readonly timeoutSeconds: number;
  /** Template MemorySize. */
  readonly memoryMb: number;
  /** Template Environment.Variables, resolved. */
  readonly environment: Readonly<Record<string, string>>;
  /** The execution role's logical id. */
  readonly roleLogicalId: string;
  readonly logGroupName?: string;
}

export interface LambdaAwsSettings {
  readonly region: string;
  readonly accountId: string;
  /** The local AWS endpoint (AWS_ENDPOINT_URL for the SDK). */
  readonly endpointUrl: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

interface OutcomeTiming {
  readonly durationMs: number;
  /** This invocation started a new execution environment (init ran first). */
  readonly coldStart: boolean;
  /** Spawn to the runtime's first request for an event: Lambda's "Init Duration". Cold starts only. */
  readonly initMs?: number;
  readonly requestId: string;
}

export type InvokeOutcome =
  | ({ ok: true; result: unknown } & OutcomeTiming)
  | ({ ok: false; errorType: string; errorMessage: string; trace?: readonly string[] } & OutcomeTiming);

export interface FunctionHostOptions {
  /** Every line the function writes to stdout or stderr, plus START / END / REPORT lines. */
  readonly log?: (line: string) => void;
}

// "Defined runtime environment variables" (AWS Lambda Developer Guide, "Working with Lambda
// environment variables"): Lambda refuses a function whose configuration sets any of these.
const RESERVED_VARIABLES = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
]);

// "Lambda execution environment lifecycle" (AWS Lambda Developer Guide): the Init phase is limited
// to 10 seconds for on-demand functions.
const INIT_LIMIT_MS = 10_000;

const BOOTSTRAP = join(dirname(fileURLToPath(import.meta.url)), 'bootstrap.mjs');

/**
 * One deployed function, run the way the Lambda Node.js runtime runs it: a child `node` process per
 * execution environment, the handler loaded by a small runtime interface client (bootstrap.mjs)
 * that talks to the Runtime API this class serves. Warm environments are reused; a call while all
 * are busy starts another; a timed-out or crashed environment is discarded.
 */
export class FunctionHost {
  private readonly instances = new Set<ExecutionEnvironment>();
  private readonly runtimeDir: string;
  private closed = false;

  constructor(
    readonly definition: FunctionDefinition,
    private readonly aws: LambdaAwsSettings,
    private readonly options: FunctionHostOptions = {},
  ) {
    const reserved = Object.keys(definition.environment).filter(
      (name) => RESERVED_VARIABLES.has(name) || name.startsWith('AWS_ENDPOINT_URL'),
    );
    if (reserved.length > 0) {
      throw new Error(
        `${definition.logicalId}: Environment sets ${reserved.join(', ')}, which Lambda reserves (or which would send the SDK past the rehearsal's endpoint); remove them from the function's environment`,
      );
    }
    // The runtime lives outside both the repository and the task root, as /var/runtime does.
    this.runtimeDir = mkdtempSync(join(tmpdir(), 'lowtide-lambda-runtime-'));
    copyFileSync(BOOTSTRAP, join(this.runtimeDir, 'bootstrap.mjs'));
  }

  /** Execution environments alive now (warm or busy). */
  get instanceCount(): number {
    return this.instances.size;
  }

  invoke(event: unknown): Promise<InvokeOutcome> {
    if (this.closed) return Promise.reject(new Error(`${this.definition.functionName}: host is closed`));
    const warm = [...this.instances].find((instance) => instance.idle);
    const instance = warm ?? this.startEnvironment();
    return instance.invoke(event);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.instances].map((instance) => instance.destroy()));
    rmSync(this.runtimeDir, { recursive: true, force: true });
  }

  private startEnvironment(): ExecutionEnvironment {
    const instance = new ExecutionEnvironment(this.definition, this.aws, this.runtimeDir, this.log, () =>
      this.instances.delete(instance),
    );
    this.instances.add(instance);
    return instance;
  }

  private readonly log = (line: string) => this.options.log?.(line);
}

interface PendingInvocation {
  readonly requestId: string;
  readonly event: unknown;
  readonly coldStart: boolean;
  readonly resolve: (outcome: InvokeOutcome) => void;
  startedAt?: number;
  timer?: NodeJS.Timeout;
}

type ErrorBody = { errorType?: string; errorMessage?: string; trace?: string[] };

/** One child process: the Lambda execution environment. */
class ExecutionEnvironment {
  private readonly server: Server;
  private child?: ChildProcess;
  private readonly spawnedAt = performance.now();
  private initMs?: number;
  private initTimer?: NodeJS.Timeout;
  private initError?: ErrorBody;
  private waitingForEvent?: ServerResponse;
  private current?: PendingInvocation;
  private invocations = 0;
  private dead = false;
  private readonly exited: Promise<void>;
  private markExited!: () => void;

  constructor(
    private readonly definition: FunctionDefinition,
    private readonly aws: LambdaAwsSettings,
    private readonly runtimeDir: string,
    private readonly log: (line: string) => void,
    private readonly onGone: () => void,
  ) {
    this.server = createServer((req, res) => this.serve(req, res));
    this.exited = new Promise((resolve) => {
      this.markExited = resolve;
    });
    new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    })
      .then(() => this.spawnChild())
      .catch((error) => {
        this.fail('Runtime.Unknown', String(error));
        this.discard();
        this.markExited();
      });
  }

  get idle(): boolean {
    return !this.dead && this.current === undefined;
  }

  invoke(event: unknown): Promise<InvokeOutcome> {
    return new Promise((resolve) => {
      this.current = { requestId: randomUUID(), event, coldStart: this.invocations === 0, resolve };
      this.invocations++;
      this.dispatch();
    });
  }

  async destroy(): Promise<void> {
    this.discard();
    await this.exited;
  }

  private spawnChild(): void {
    if (this.dead) {
      this.server.close(() => this.markExited());
      return;
    }
    const { port } = this.server.address() as AddressInfo;
    const def = this.definition;
    const memory = def.memoryMb;
    // The heap limits the Lambda Node.js bootstrap derives from the function's memory size.
    const newSpace = Math.floor(memory / 10);
    const child = spawn(
      process.execPath,
      [
        `--max-semi-space-size=${Math.max(1, Math.floor(newSpace / 2))}`,
        `--max-old-space-size=${memory - newSpace}`,
        join(this.runtimeDir, 'bootstrap.mjs'),
      ],
      { cwd: def.assetDir, env: this.environment(port), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', this.log);
    }
    child.once('exit', (code, signal) => {
      const how = signal ? `signal: ${signal}` : `exit status ${code}`;
      if (this.initError) {
        this.fail(
          this.initError.errorType ?? 'Runtime.Unknown',
          this.initError.errorMessage ?? '',
          this.initError.trace,
        );
      } else if (this.current) {
        // "Runtime exited with error" is how Lambda reports a process that died mid-invocation.
        this.fail(
          'Runtime.ExitError',
          `RequestId: ${this.current.requestId} Error: Runtime exited with error: ${how}`,
        );
      }
      this.discard();
      this.server.closeAllConnections();
      this.server.close(() => this.markExited());
    });
    this.initTimer = setTimeout(() => {
      this.fail(
        'Sandbox.Timedout',
        `INIT_REPORT Init Duration: ${INIT_LIMIT_MS} ms Phase: init Status: timeout`,
      );
      this.discard();
    }, INIT_LIMIT_MS);
  }

  private environment(runtimePort: number): Record<string, string> {
    const def = this.definition;
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    const credentials = this.aws.credentials;
    return {
      ...def.environment,
      // What a Lambda Node.js environment carries ("Defined runtime environment variables").
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      _HANDLER: def.handler,
      AWS_REGION: this.aws.region,
      AWS_DEFAULT_REGION: this.aws.region,
      AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
      AWS_LAMBDA_FUNCTION_NAME: def.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(def.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: def.logGroupName ?? `/aws/lambda/${def.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${runtimePort}`,
      LAMBDA_TASK_ROOT: def.assetDir,
      LAMBDA_RUNTIME_DIR: this.runtimeDir,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
      // The rehearsal's only addition: every SDK client reaches the local endpoint.
      AWS_ENDPOINT_URL: this.aws.endpointUrl,
    };
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '').replace(/^\/2018-06-01\/runtime/, '');
      if (req.method === 'GET' && path === '/invocation/next') {
        this.waitingForEvent = res;
        if (this.initMs === undefined) {
          this.initMs = Math.round(performance.now() - this.spawnedAt);
          clearTimeout(this.initTimer);
        }
        this.dispatch();
        return;
      }
      const accepted = () => {
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
      };
      if (req.method === 'POST' && path === '/init/error') {
        clearTimeout(this.initTimer);
        this.initError = parseErrorBody(body);
        accepted();
        return;
      }
      const match = /^\/invocation\/([^/]+)\/(response|error)$/.exec(path);
      const current = this.current;
      if (req.method !== 'POST' || !match || !current || match[1] !== current.requestId) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' }));
        return;
      }
      accepted();
      if (match[2] === 'response') {
        this.finish({ ok: true, result: body === '' ? null : JSON.parse(body), ...this.timing(current) });
      } else {
        const error = parseErrorBody(body);
        this.finish({
          ok: false,
          errorType: error.errorType ?? 'Error',
          errorMessage: error.errorMessage ?? '',
          trace: error.trace,
          ...this.timing(current),
        });
      }
    });
  }

  /** Hands the current invocation to the runtime once both are waiting. */
  private dispatch(): void {
    const current = this.current;
    const res = this.waitingForEvent;
    if (!current || !res || current.startedAt !== undefined || this.dead) return;
    this.waitingForEvent = undefined;
    current.startedAt = performance.now();
    const timeoutMs = this.definition.timeoutSeconds * 1000;
    this.log(`START RequestId: ${current.requestId} Version: $LATEST`);
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': current.requestId,
      'lambda-runtime-deadline-ms': String(Date.now() + timeoutMs),
      'lambda-runtime-invoked-function-arn': this.definition.arn,
      'lambda-runtime-trace-id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
    });
    res.end(JSON.stringify(current.event ?? null));
    current.timer = setTimeout(() => {
      // "Task timed out after N seconds" with the Sandbox.Timedout error type is what Lambda reports
      // ("Troubleshoot invocation issues in Lambda"); the environment is then torn down.
      const seconds = this.definition.timeoutSeconds.toFixed(2);
      this.fail(
        'Sandbox.Timedout',
        `RequestId: ${current.requestId} Error: Task timed out after ${seconds} seconds`,
      );
      this.discard();
    }, timeoutMs);
  }

  private timing(current: PendingInvocation): OutcomeTiming {
    const durationMs =
      current.startedAt === undefined ? 0 : Math.round(performance.now() - current.startedAt);
    return {
      durationMs,
      coldStart: current.coldStart,
      requestId: current.requestId,
      ...(current.coldStart && this.initMs !== undefined ? { initMs: this.initMs } : {}),
    };
  }

  private fail(errorType: string, errorMessage: string, trace?: readonly string[]): void {
    const current = this.current;
    if (!current) return;
    this.finish({ ok: false, errorType, errorMessage, ...(trace ? { trace } : {}), ...this.timing(current) });
  }

  private finish(outcome: InvokeOutcome): void {
    const current = this.current;
    if (!current) return;
    clearTimeout(current.timer);
    this.current = undefined;
    const init = outcome.initMs === undefined ? '' : `\tInit Duration: ${outcome.initMs} ms`;
    this.log(`END RequestId: ${current.requestId}`);
    this.log(
      `REPORT RequestId: ${current.requestId}\tDuration: ${outcome.durationMs} ms\tMemory Size: ${this.definition.memoryMb} MB${init}`,
    );
    current.resolve(outcome);
    // An idle environment after an error is kept, as Lambda keeps it after a handled error.
    if (this.dead) return;
    if (
      !outcome.ok &&
      (outcome.errorType.startsWith('Runtime.') || outcome.errorType.startsWith('Sandbox.'))
    ) {
      this.discard();
    }
  }

  /** Takes the environment out of service and kills its process. */
  private discard(): void {
    if (!this.dead) {
      this.dead = true;
      this.onGone();
    }
    clearTimeout(this.initTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (!child && this.server.listening) this.server.close(() => this.markExited());
  }
}

function parseErrorBody(body: string): ErrorBody {
  try {
    const parsed = JSON.parse(body) as ErrorBody;
    return typeof parsed === 'object' && parsed !== null ? parsed : { errorMessage: body };
  } catch {
    return { errorType: 'Runtime.Unknown', errorMessage: body };
  }
}
