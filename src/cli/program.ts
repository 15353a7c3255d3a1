import { Command, CommanderError } from 'commander';
import type { OperatorAction } from './commands/operate';
import type { CliContext } from './context';
import { EXIT, type ExitCode, explainError } from './errors';
import { type CommandResult, emit, emitError } from './output';

interface GlobalFlags {
  readonly json?: boolean;
  readonly verbose?: boolean;
}

type BaseContext = Omit<CliContext, 'json' | 'verbose'>;

/** AWS targeting and the operator's name, shared by every control-state command. */
function withControlOptions(command: Command): Command {
  return command
    .option(
      '--stack <name>',
      'act on the deployment in this CloudFormation stack (AWS) instead of the local state',
    )
    .option('--table <name>', 'act on this DynamoDB control table (AWS) instead of the local state')
    .option('--region <region>', 'AWS region (default: the usual AWS settings, e.g. AWS_REGION)')
    .option(
      '--by <name>',
      'who is asking, recorded with the request (default: LOWTIDE_OPERATOR or user@host)',
    );
}

const OPERATOR_ACTIONS: ReadonlyArray<{
  action: OperatorAction;
  summary: string;
  extra?: (c: Command) => Command;
}> = [
  {
    action: 'pause',
    summary: 'pause a job: a running job stops after its current batch, checkpointed',
    extra: (c) => c.option('--reason <text>', 'why, shown in status'),
  },
  {
    action: 'resume',
    summary: "clear an operator's pause so the job may run again",
    extra: (c) =>
      c
        .option(
          '--force',
          'also clear pauses set by alarms (a plain resume clears the operator, lock-timeouts, statement-timeouts, replica-lag and window pauses)',
        )
        .option('--clear-abort', 'withdraw an abort request so an aborted job may run again'),
  },
  {
    action: 'abort',
    summary: 'abort a job: a running job stops after its current batch and does not run again',
    extra: (c) => c.option('--reason <text>', 'why, shown in status'),
  },
  {
    action: 'approve',
    summary: 'record the approval a job with requiresApproval waits for',
    extra: (c) => c.option('--note <text>', 'a note kept with the approval'),
  },
];

/**
 * Builds the `lowtide` program. Every action goes through `perform`, so output, `--json`, and
 * the mapping of errors to exit codes happen in one place.
 */
export function buildProgram(base: BaseContext, done: (code: ExitCode) => void): Command {
  const program = new Command('lowtide')
    .description('Run online database maintenance jobs (backfill, purge, archive, repair) safely.')
    .option('--json', 'print one JSON document on stdout, for scripts')
    .option('--verbose', 'print stack traces and details of errors')
    .showHelpAfterError('(run lowtide --help for usage)')
    .configureOutput({
      writeOut: (text) => base.stdout.write(text),
      writeErr: (text) => base.stderr.write(text),
    })
    .exitOverride();

  // commander passes the positional arguments, the command's options, then the command itself.
  // Handlers import their command module when called, so `plan` never loads the AWS SDK or the
  // state machine interpreter, and a typo is reported before anything heavy has loaded.
  const perform =
    <A extends unknown[]>(handler: (ctx: CliContext, ...args: A) => Promise<CommandResult>) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const flags = command.optsWithGlobals<GlobalFlags>();
      const ctx: CliContext = { ...base, json: Boolean(flags.json), verbose: Boolean(flags.verbose) };
      try {
        const outcome = await handler(ctx, ...(args.slice(0, -1) as A));
        emit(ctx, outcome);
        done(outcome.code);
      } catch (error) {
        done(emitError(ctx, explainError(error)));
      }
    };

  program
    .command('plan')
    .description('dry run: the preflight checks, estimated rows, batches and duration; commits nothing')
    .argument('<job-file>', 'the job file (TypeScript or JavaScript exporting defineJob(...))')
    .option(
      '--database-url <url>',
      'the database (default: LOWTIDE_DATABASE_URL_<NAME>, lowtide.connections.json, DATABASE_URL)',
    )
    .option('--no-sample', 'do not time a sample batch (by default one batch runs and is rolled back)')
    .option(
      '--config <file>',
      'the deployment config whose ddlGuard rule settings the DDL guard applies (besides the .lowtide-lint.json nearest the job file)',
    )
    .action(
      perform(
        async (ctx, file: string, options: { databaseUrl?: string; sample?: boolean; config?: string }) =>
          (await import('./commands/plan')).planCommand(ctx, file, options),
      ),
    );

  program
    .command('run')
    .description('run a job to its end through the local state machine, with progress')
    .argument('<job-file>', 'the job file')
    .option('--local', 'run in this process (required: runs on AWS start with lowtide start)')
    .option(
      '--database-url <url>',
      'the database (default: LOWTIDE_DATABASE_URL_<NAME>, lowtide.connections.json, DATABASE_URL)',
    )
    .option(
      '--ms-per-second <ms>',
      'local milliseconds per state-machine second for waits and back-offs (default 1000: real time)',
    )
    .option(
      '--config <file>',
      'the deployment config whose ddlGuard rule settings the preflight applies (besides the .lowtide-lint.json nearest the job file)',
    )
    .option(
      '--latency-profile <name>',
      'add estimated AWS latencies (Lambda, state transitions, DynamoDB, database round trips) to the local run: none (default) or aws; see docs/benchmarks.md',
    )
    .option(
      '--concurrency <n>',
      "a fleet job (its database names a connection group): members running at once (default: the job's fleet.maxConcurrency, 1)",
    )
    .action(
      perform(
        async (
          ctx,
          file: string,
          options: {
            local?: boolean;
            databaseUrl?: string;
            msPerSecond?: string;
            config?: string;
            latencyProfile?: string;
            concurrency?: string;
          },
        ) => (await import('./commands/run')).runCommand(ctx, file, options),
      ),
    );

  program
    .command('rollback')
    .description('undo a job from its audit table, in bounded batches, under the job id <job>-rollback')
    .argument(
      '<job-file>',
      'the job file of the job to undo (it must have run with rollback: { audit: true })',
    )
    .option('--local', 'run in this process (required)')
    .option('--database-url <url>', 'the database (default: as for run)')
    .option('--force', 'overwrite rows the application changed after the job instead of reporting them')
    .option('--member <name>', "a fleet job: roll back this member's run only, on its own database")
    .option('--ms-per-second <ms>', 'local milliseconds per state-machine second (default 1000: real time)')
    .action(
      perform(async (ctx, file: string, options: Record<string, unknown>) =>
        (await import('./commands/rollback')).rollbackCommand(ctx, file, options),
      ),
    );

  const audit = program
    .command('audit')
    .description("a job's audit data (the before-images a rollback restores)");
  audit
    .command('drop')
    .description('drop the audit table; refused while a rollback might still be wanted')
    .argument('<job-file>', 'the job file')
    .option('--database-url <url>', 'the database (default: as for run)')
    .option('--force', 'drop even though rows could still be rolled back')
    .action(
      perform(async (ctx, file: string, flags: Record<string, unknown>) =>
        (await import('./commands/audit')).auditDropCommand(ctx, file, flags),
      ),
    );
  audit
    .command('conflicts')
    .description('rows a rollback left because the application changed them after the job')
    .argument('<job-file>', 'the job file')
    .option('--database-url <url>', 'the database (default: as for run)')
    .option('--limit <n>', 'how many rows (default 100)')
    .action(
      perform(async (ctx, file: string, flags: Record<string, unknown>) =>
        (await import('./commands/audit')).auditConflictsCommand(ctx, file, flags),
      ),
    );

  withControlOptions(program.command('status'))
    .description(
      "a job's status, lease, checkpoint, pause and abort requests, progress and last run (a fleet job: its members)",
    )
    .argument('<job>', 'the job id or its file')
    .option('--member <name>', 'a fleet job: this member in full')
    .action(
      perform(async (ctx, job: string, flags: Record<string, string>) =>
        (await import('./commands/status')).statusCommand(ctx, job, flags),
      ),
    );

  withControlOptions(program.command('history'))
    .description("a job's recent runs and batches, newest first")
    .argument('<job>', 'the job id or its file')
    .option('--limit <n>', 'how many runs and batches (default 20)')
    .option('--member <name>', 'a fleet job: this member')
    .action(
      perform(async (ctx, job: string, flags: Record<string, string>) =>
        (await import('./commands/status')).historyCommand(ctx, job, flags),
      ),
    );

  for (const { action, summary, extra } of OPERATOR_ACTIONS) {
    const command = withControlOptions(program.command(action))
      .description(summary)
      .argument('<job>', 'the job id or its file')
      .option('--member <name>', 'a fleet job: only this member (default: every member)');
    (extra ? extra(command) : command).action(
      perform(async (ctx, job: string, flags: Record<string, unknown>) =>
        (await import('./commands/operate')).operateCommand(ctx, action, job, flags),
      ),
    );
  }

  withControlOptions(program.command('consent'))
    .description('consent to one DDL statement the guard refused (recorded with who and when)')
    .argument('<job>', 'the job id or its file')
    .argument('<fingerprint>', 'the statement fingerprint from the refusal (ddl1-...)')
    .option('--note <text>', 'why it is safe to run as written')
    .action(
      perform(async (ctx, job: string, fingerprint: string, flags: Record<string, unknown>) =>
        (await import('./commands/consent')).consentCommand(ctx, job, fingerprint, flags),
      ),
    );

  withControlOptions(program.command('start'))
    .description('start a run on AWS (Step Functions) and return at once')
    .argument('<job>', 'the job id or its file')
    .option('--state-machine <arn>', 'the state machine (default: found in --stack)')
    .option('--dry-run', 'preflight and plan only; nothing is written')
    .option(
      '--config <file>',
      'the deployment config a fleet job’s members are read from (default: ./lowtide.config.ts when present)',
    )
    .action(
      perform(async (ctx, job: string, flags: Record<string, unknown>) =>
        (await import('./commands/start')).startCommand(ctx, job, flags),
      ),
    );

  program
    .command('lint')
    .description('check SQL migration files for statements that lock or rewrite big tables (the DDL guard)')
    .argument('<file.sql...>', 'SQL files; - reads standard input')
    .option('--engine <engine>', 'postgres, mysql (MySQL 8 rules) or mariadb (MariaDB 10.11 rules)')
    .option(
      '--database-url <url>',
      'read table sizes and column facts from this database (and the engine from its URL)',
    )
    .option('--fail-on <level>', 'block (default) or warn: the lowest severity that makes the exit code 1')
    .option('--server <flavour>', 'MySQL family: mysql, mariadb or any (whose online DDL rules apply)')
    .option('--assume-lock-timeout', 'the runner sets a lock timeout itself, so a script without one is fine')
    .option(
      '--assume-in-transaction',
      'each file runs inside BEGIN ... COMMIT, as migration tools wrap it (a file saying -- lowtide: no-transaction does not)',
    )
    .option(
      '--pg-version <version>',
      'the PostgreSQL release to apply the rules for (default 14; read from --database-url)',
    )
    .option('--mysql-version <version>', 'the MySQL release (default 8.4; read from --database-url)')
    .option('--mariadb-version <version>', 'the MariaDB release (default 10.11; read from --database-url)')
    .option(
      '--format <format>',
      'text (default), json, github (workflow annotations), sarif (2.1.0) or gitlab (code quality)',
    )
    .option(
      '--config <file>',
      'the lint config to use (default: the nearest .lowtide-lint.json up to the repository root)',
    )
    .action(
      perform(async (ctx, files: string[], flags: Record<string, unknown>) => {
        (await import('./lint/lint-heap-flags')).useLintHeapFlags();
        return (await import('./commands/lint')).lintCommand(ctx, files, flags);
      }),
    );

  program
    .command('init')
    .description('create a jobs repository: package.json, lowtide.config.ts, an example job, the CDK app')
    .argument('[dir]', 'the directory to create it in (default: the current directory)')
    .option('--force', 'write the files even though the directory is not empty (overwriting them)')
    .action(
      perform(async (ctx, dir: string | undefined, flags: { force?: boolean }) =>
        (await import('./commands/init')).initCommand(ctx, dir, flags),
      ),
    );

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  program
    .command('rehearse')
    .description(
      'synthesize your config and jobs, deploy the artifacts into a local AWS in this process, and run each job on a local database',
    )
    .option('--config <file>', 'the deployment config (default: lowtide.config.ts)')
    .option(
      '--database-url <[connection=]url>',
      "the local database of a connection (repeatable); one without a name serves every connection. The job's tables must exist there",
      collect,
    )
    .option('--job <id>', 'rehearse only this job (repeatable; default: every job in the config)', collect)
    .option(
      '--seed-example',
      "first (re)create lowtide_demo_accounts, the example job's table, with LOWTIDE_DEMO_ROWS rows (default 10000)",
    )
    .action(
      perform(async (ctx, flags: Record<string, unknown>) =>
        (await import('./commands/rehearse')).rehearseCommand(ctx, flags),
      ),
    );

  program
    .command('demo')
    .description(
      'the demo (npm start): a backfill on an embedded PostgreSQL, or on DATABASE_URL, with progress and a summary',
    )
    .option('--database-url <url>', 'run against this server instead (it gets a lowtide_demo_accounts table)')
    .action(
      perform(async (ctx, flags: { databaseUrl?: string }) =>
        (await import('./commands/demo')).demoCommand(ctx, flags),
      ),
    );

  return program;
}

/** Parses argv and runs the command; resolves to the process's exit code. */
export async function runCli(argv: readonly string[], base: BaseContext): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram(base, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; any other complaint of commander's is about the arguments.
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return EXIT.ok;
      }
      return EXIT.badInput;
    }
    throw error;
  }
  return code;
}
