import path from 'node:path';
import { ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  checkStatementsFit,
  dashboardName,
  defaultPort,
  fleetExecutionInputOf,
  fleetStateMachineName,
  isSecretAuth,
  type LowtideConfig,
  METRICS_NAMESPACE,
  replicaLagAlarmName,
  SERVICE_NAME,
  stateMachineName,
} from '../src/config';
import type { JobSpec } from '../src/job/types';
import { checkContinueAsNewAfter, DEPLOYED_HISTORY_COSTS } from '../src/run/history-budget';
import { type BundlingRoots, resolveBundlingRoots } from './bundling/project-roots';
import { ControlEvents } from './constructs/control-events';
import { ControlTable } from './constructs/control-table';
import { FleetStateMachine } from './constructs/fleet-state-machine';
import { JobDashboard } from './constructs/job-dashboard';
import { JobSchedule } from './constructs/job-schedule';
import { LowtideFunctions } from './constructs/lowtide-functions';
import { LowtideNetwork } from './constructs/lowtide-network';
import { MaintenanceStateMachine } from './constructs/maintenance-state-machine';
import { ReplicaLagAlarm } from './constructs/replica-lag-alarm';
import { FleetNotifications, RunNotifications } from './constructs/run-notifications';
import { featureFlagArns } from './feature-flag-arns';
import { FUNCTION_NAMES, FUNCTION_SPECS } from './function-catalog';
import { acknowledge } from './nag';
import { FLEET_DEFINITION, STATE_MACHINE_DEFINITION } from './paths';

export interface LowtideProps {
  /** The validated deployment config (`lowtide.config.ts`'s default export). */
  readonly config: LowtideConfig;
  /**
   * The lowtide package the functions are bundled from: its `functions/*.ts` entry points, the
   * `src/` they import, and `statemachines/`. Must lie inside projectRoot (a linked package is
   * found through `projectRoot/node_modules/lowtide`).
   * @default - the package this construct was loaded from: `node_modules/lowtide` in a project
   * that installed it, this repository when developing lowtide
   */
  readonly packageRoot?: string;
  /**
   * Your project: the folder with the lock file and the node_modules the bundles resolve
   * packages from (aws-sdk, pg, zod, and whatever your jobs import). esbuild runs here, and
   * every `lowtide` import in your config and jobs bundles packageRoot's source, the same
   * modules the functions use.
   * @default - the nearest folder at or above packageRoot that holds a lock file
   * (package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lock, bun.lockb)
   */
  readonly projectRoot?: string;
  /**
   * The file whose default export is `config`: the functions bundle it (as `#lowtide-config`)
   * with the jobs it imports, so it must be the file `config` was loaded from.
   * @default `lowtide.config.ts` in projectRoot
   */
  readonly configFile?: string;
  /**
   * @default `${config.name}-maintenance-job`
   */
  readonly stateMachineName?: string;
  /**
   * Customer-managed key for the control table.
   * @default - the AWS managed key for DynamoDB
   */
  readonly tableEncryptionKey?: kms.IKey;
  /**
   * @default RemovalPolicy.RETAIN (job state and checkpoints survive a stack deletion)
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * Retention of the function and execution logs.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Retries of a scheduled start that failed.
   * @default 2
   */
  readonly scheduleRetryAttempts?: number;
  /**
   * How long Scheduler and EventBridge keep trying to deliver one scheduled start.
   * @default Duration.minutes(30)
   */
  readonly scheduleMaxEventAge?: Duration;
  /**
   * Health-gate visits after which an execution continues as a new one (LOWTIDE_CONTINUE_AS_NEW_AFTER).
   * Refused at synth above what one execution's 25,000 history events hold; retries make the
   * handover come earlier on their own.
   * @default 400
   */
  readonly continueAsNewAfter?: number;
  /**
   * Scan throughput, in MB/s per pass over a table, that the duration estimate of a recipe phase
   * reading the whole table assumes (LOWTIDE_DDL_SCAN_MB_PER_SECOND): preflight refuses a phase
   * whose table it cannot read in the time the ApplyBatch function leaves it.
   * @default 10 (deliberately slow; see src/recipes/phase-timeout.ts)
   */
  readonly ddlScanMbPerSecond?: number;
}

/**
 * A complete lowtide deployment: the maintenance-job state machine and its functions, the control
 * table, schedules, replica-lag alarms, the EventBridge rules that turn alarms and stopped
 * executions into control state, run notifications, and a dashboard per job.
 */
export class Lowtide extends Construct {
  readonly config: LowtideConfig;
  /** Where the functions were bundled from: the package, the project, its lock file and the config. */
  readonly bundlingRoots: BundlingRoots;
  readonly network: LowtideNetwork;
  readonly controlTable: ControlTable;
  readonly functions: LowtideFunctions;
  readonly stateMachine: MaintenanceStateMachine;
  /** The fleet state machine, when a job runs on a connection group. */
  readonly fleetStateMachine?: FleetStateMachine;
  /** One notification per fleet transition, when there is a fleet state machine. */
  readonly fleetNotifications?: FleetNotifications;
  /** Undeliverable scheduled starts and control events. SSL only. */
  readonly deadLetterQueue: sqs.Queue;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly schedules: Readonly<Record<string, JobSchedule>>;
  readonly lagAlarms: Readonly<Record<string, ReplicaLagAlarm>>;
  readonly controlEvents: ControlEvents;
  readonly notifications: RunNotifications;
  readonly dashboards: Readonly<Record<string, JobDashboard>>;

  constructor(scope: Construct, id: string, props: LowtideProps) {
    if (props.continueAsNewAfter !== undefined)
      checkContinueAsNewAfter(props.continueAsNewAfter, DEPLOYED_HISTORY_COSTS, 'continueAsNewAfter');
    const scan = props.ddlScanMbPerSecond;
    if (scan !== undefined && !(Number.isFinite(scan) && scan > 0))
      throw new Error(`ddlScanMbPerSecond must be a positive number of MB/s, not ${scan}`);
    // A statement allowed to outlast the function running it is cut off by Lambda, mid-step.
    checkStatementsFit(props.config, FUNCTION_SPECS.applyBatch.timeoutSeconds);
    const roots = resolveBundlingRoots(props);
    super(scope, id);
    const { config } = props;
    this.config = config;
    this.bundlingRoots = roots;

    const flagArns = featureFlagArns(Stack.of(this), config);
    this.network = new LowtideNetwork(this, 'Network', {
      network: config.network,
      featureFlags: flagArns.length > 0,
    });
    this.controlTable = new ControlTable(this, 'Control', {
      encryptionKey: props.tableEncryptionKey,
      removalPolicy: props.tableRemovalPolicy,
    });
    this.functions = new LowtideFunctions(this, 'Functions', {
      ...roots,
      featureFlagArns: flagArns,
      readsFreeStorage: Object.values(config.connections).some((c) => c.storage && 'instanceId' in c.storage),
      logRetention: props.logRetention,
      network: {
        vpc: this.network.vpc,
        subnets: this.network.subnets,
        securityGroups: this.network.securityGroups,
      },
      environment: {
        LOWTIDE_CONTROL_TABLE: this.controlTable.tableName,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
        ...(props.continueAsNewAfter !== undefined
          ? { LOWTIDE_CONTINUE_AS_NEW_AFTER: String(props.continueAsNewAfter) }
          : {}),
        ...(scan !== undefined ? { LOWTIDE_DDL_SCAN_MB_PER_SECOND: String(scan) } : {}),
      },
    });
    for (const fn of this.functions.all) this.controlTable.grantReadWrite(fn);
    this.grantDatabaseAccess();

    const taskFunctions = Object.fromEntries(
      FUNCTION_NAMES.flatMap((name) => {
        const { substitution } = FUNCTION_SPECS[name];
        return substitution ? [[substitution, this.functions.functions[name]]] : [];
      }),
    );
    this.stateMachine = new MaintenanceStateMachine(this, 'StateMachine', {
      definitionFile: path.join(roots.packageRoot, STATE_MACHINE_DEFINITION),
      taskFunctions,
      stateMachineName: props.stateMachineName ?? stateMachineName(config.name),
      logRetention: props.logRetention,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the schedules and EventBridge targets; a queue behind it would only move the same messages again.',
    );

    // Jobs on a connection group run through the fleet state machine: one nested run per member.
    const isFleetJob = (job: JobSpec) => config.connectionGroups[job.database] !== undefined;
    this.fleetStateMachine = config.jobs.some(({ job }) => isFleetJob(job))
      ? new FleetStateMachine(this, 'FleetStateMachine', {
          definitionFile: path.join(roots.packageRoot, FLEET_DEFINITION),
          stateMachineName: fleetStateMachineName(config.name),
          maintenanceStateMachineName: props.stateMachineName ?? stateMachineName(config.name),
          controlTable: this.controlTable.table,
          logRetention: props.logRetention,
        })
      : undefined;

    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'Schedules', { scheduleGroupName: config.name });
    const schedules: Record<string, JobSchedule> = {};
    for (const { job, schedule } of config.jobs) {
      if (!schedule) continue;
      const fleet = isFleetJob(job) ? this.fleetStateMachine : undefined;
      const { jobId: _, ...fleetInput } = fleetExecutionInputOf(config, job);
      schedules[job.id] = new JobSchedule(this, `Schedule-${job.id}`, {
        jobId: job.id,
        schedule,
        stateMachine: fleet ? fleet.stateMachine : this.stateMachine.stateMachine,
        ...(fleet ? { extraInput: fleetInput } : {}),
        deadLetterQueue: this.deadLetterQueue,
        scheduleGroup: this.scheduleGroup,
        retryAttempts: props.scheduleRetryAttempts,
        maxEventAge: props.scheduleMaxEventAge,
      });
    }
    this.schedules = schedules;

    const lagAlarms: Record<string, ReplicaLagAlarm> = {};
    for (const [name, connection] of Object.entries(config.connections)) {
      if (!connection.lagAlarm) continue;
      lagAlarms[name] = new ReplicaLagAlarm(this, `ReplicaLag-${name}`, {
        alarmName: replicaLagAlarmName(config.name, name),
        connectionName: name,
        lag: connection.lagAlarm,
        thresholdSeconds: connection.lagAlarm.thresholdSeconds ?? this.strictestLagLimit(name),
      });
    }
    this.lagAlarms = lagAlarms;

    this.controlEvents = new ControlEvents(this, 'ControlEvents', {
      stateMachine: this.stateMachine.stateMachine,
      alarmNames: [
        ...config.jobs.flatMap(({ job }) => job.health.alarms),
        // Literal names, not references: on-alarm matches on them, and they read well in the rule.
        ...Object.keys(lagAlarms).map((name) => replicaLagAlarmName(config.name, name)),
      ],
      onAlarm: this.functions.functions.onAlarm,
      onExecutionEnd: this.functions.functions.onExecutionEnd,
      deadLetterQueue: this.deadLetterQueue,
    });
    this.notifications = new RunNotifications(this, 'Notifications', {
      stateMachine: this.stateMachine.stateMachine,
      emails: config.notifications.emails,
      deadLetterQueue: this.deadLetterQueue,
    });
    this.fleetNotifications = this.fleetStateMachine
      ? new FleetNotifications(this, 'FleetNotifications', {
          fleetStateMachine: this.fleetStateMachine.stateMachine,
          topic: this.notifications.topic,
          deadLetterQueue: this.deadLetterQueue,
        })
      : undefined;

    const dashboards: Record<string, JobDashboard> = {};
    for (const { job, schedule } of config.jobs) {
      dashboards[job.id] = new JobDashboard(this, `Dashboard-${job.id}`, {
        dashboardName: dashboardName(config.name, job.id),
        job,
        stateMachine: this.stateMachine.stateMachine,
        lagAlarm: lagAlarms[job.database],
        ...(isFleetJob(job) ? { fleetMembers: fleetExecutionInputOf(config, job).members } : {}),
        scheduleText: schedule
          ? `Scheduled \`${schedule.cron}\` (${schedule.timeZone}), window ${schedule.durationMinutes} min${schedule.enabled ? '' : ' (disabled)'}.`
          : undefined,
      });
    }
    this.dashboards = dashboards;
  }

  /** Start runs (the console's "Start execution", a CI job, another scheduler). */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /**
   * Everything an operator does: start, stop and inspect executions, and pause, resume, abort and
   * approve jobs (the CLI writes those requests to the control table).
   */
  grantOperate(grantee: iam.IGrantable): iam.Grant {
    this.controlTable.grantReadWrite(grantee);
    this.fleetStateMachine?.grantOperate(grantee);
    return this.stateMachine.grantOperate(grantee);
  }

  /** Read job status, progress and history. */
  grantReadStatus(grantee: iam.IGrantable): iam.Grant {
    return this.controlTable.grantRead(grantee);
  }

  /** The smallest maxReplicaLagSeconds among the jobs on a connection: the alarm must not be laxer than any of them. */
  private strictestLagLimit(connection: string): number {
    const limits = this.config.jobs
      .filter(({ job }) => job.database === connection)
      .map(({ job }) => job.health.maxReplicaLagSeconds);
    return limits.length > 0 ? Math.min(...limits) : 5;
  }

  /** Network paths and credentials for the functions that connect to the databases, and nothing for the others. */
  private grantDatabaseAccess(): void {
    const stack = Stack.of(this);
    for (const [name, connection] of Object.entries(this.config.connections)) {
      this.network.allowDatabase(
        name,
        connection.port ?? defaultPort(connection.engine),
        connection.securityGroupId,
      );
      const { auth } = connection;
      if (isSecretAuth(auth)) {
        for (const fn of this.functions.databaseFunctions) {
          // GetSecretValue only: the handlers read the value, they never describe, list or rotate.
          fn.addToRolePolicy(
            new iam.PolicyStatement({
              actions: ['secretsmanager:GetSecretValue'],
              resources: [auth.secretArn],
            }),
          );
          if (auth.kmsKeyArn) {
            fn.addToRolePolicy(
              new iam.PolicyStatement({
                actions: ['kms:Decrypt'],
                resources: [auth.kmsKeyArn],
                conditions: {
                  StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` },
                },
              }),
            );
          }
        }
      } else {
        const dbUser = stack.formatArn({
          service: 'rds-db',
          resource: 'dbuser',
          resourceName: `${auth.resourceId}/${auth.iamUser}`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        });
        for (const fn of this.functions.databaseFunctions) {
          fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['rds-db:connect'], resources: [dbUser] }));
        }
      }
    }
  }
}
