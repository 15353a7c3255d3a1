import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundlingOptions } from '../bundling/bundling-options';
import type { BundlingRoots } from '../bundling/project-roots';
import {
  FUNCTION_NAMES,
  FUNCTION_SPECS,
  type FunctionSpec,
  type LowtideFunctionName,
} from '../function-catalog';
import { checkEnvironmentSize } from '../lambda-environment';
import { acknowledge } from '../nag';
import { FUNCTIONS_DIR } from '../paths';

export interface FunctionNetworkProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
}

/**
 * Where the functions come from (resolveBundlingRoots fills in and checks them): the entry points
 * in `packageRoot/functions`, bundled by esbuild running in `projectRoot` with the config in
 * `configFile`.
 */
export interface LowtideFunctionsProps extends BundlingRoots {
  /** Environment of every function (table name, connections, Powertools settings). */
  readonly environment: Readonly<Record<string, string>>;
  /** Where the database-touching functions run; the others stay out of the VPC. */
  readonly network: FunctionNetworkProps;
  /**
   * The configuration-profile ARNs of the feature flags that gate the jobs; the functions that read
   * flags may start AppConfig sessions and poll on these only.
   */
  readonly featureFlagArns?: readonly string[];
  /** Some connection names an RDS instance whose free storage the preflight reads. */
  readonly readsFreeStorage?: boolean;
  /**
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;
  /**
   * Retention of each function's log group.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The ten Lambda functions, bundled by esbuild (no Docker) from the lowtide package's
 * `functions/*.ts` with the project's config and jobs; ARM64, X-Ray tracing, one log group and one
 * least-privilege role each. Only the functions that touch the database run in the VPC.
 */
export class LowtideFunctions extends Construct {
  readonly functions: Readonly<Record<LowtideFunctionName, nodejs.NodejsFunction>>;
  readonly logGroups: Readonly<Record<LowtideFunctionName, logs.LogGroup>>;

  constructor(scope: Construct, id: string, props: LowtideFunctionsProps) {
    super(scope, id);
    const functions = {} as Record<LowtideFunctionName, nodejs.NodejsFunction>;
    const logGroups = {} as Record<LowtideFunctionName, logs.LogGroup>;
    for (const name of FUNCTION_NAMES) {
      const spec = FUNCTION_SPECS[name];
      const cid = constructId(name);
      const logGroup = new logs.LogGroup(this, `${cid}Logs`, {
        retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const role = new iam.Role(this, `${cid}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `${spec.description} (execution role)`,
      });
      // Instead of AWSLambdaBasicExecutionRole: write to this function's own log group only.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );
      if (spec.touchesDatabase) role.addToPrincipalPolicy(vpcNetworkInterfaceStatement());
      if (spec.describesAlarms) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: ['*'] }),
        );
      }
      const flagArns = props.featureFlagArns ?? [];
      if (spec.readsFeatureFlags && flagArns.length > 0) {
        // Both data-API actions are authorized on the configuration profile's ARN
        // ("Actions, resources, and condition keys for AWS AppConfig", Service Authorization Reference).
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
            resources: [...flagArns],
          }),
        );
      }
      const readsStorage = Boolean(spec.readsFreeStorage && props.readsFreeStorage);
      if (readsStorage) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
        );
      }

      const environment = {
        ...props.environment,
        // Node.js 20+ Lambda runtimes do not trust the RDS certificate authorities unless told to;
        // the database functions verify the server certificate (verify-full / ssl).
        ...(spec.touchesDatabase ? { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' } : {}),
      };
      checkEnvironmentSize(spec.file, environment);
      functions[name] = new nodejs.NodejsFunction(this, cid, {
        entry: path.join(props.packageRoot, FUNCTIONS_DIR, `${spec.file}.ts`),
        handler: 'handler',
        projectRoot: props.projectRoot,
        depsLockFilePath: props.depsLockFilePath,
        runtime: props.runtime ?? lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(spec.timeoutSeconds),
        description: spec.description,
        role,
        logGroup,
        tracing: lambda.Tracing.ACTIVE,
        environment,
        ...(spec.touchesDatabase
          ? {
              vpc: props.network.vpc,
              vpcSubnets: props.network.subnets,
              securityGroups: props.network.securityGroups,
            }
          : {}),
        bundling: bundlingOptions(props.packageRoot, props.configFile),
      });
      logGroups[name] = logGroup;

      acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', wildcardResourceReason(spec, readsStorage));
    }
    this.functions = functions;
    this.logGroups = logGroups;
  }

  /** Every function, for grants all of them need (the control table). */
  get all(): nodejs.NodejsFunction[] {
    return FUNCTION_NAMES.map((name) => this.functions[name]);
  }

  /** The functions that connect to the databases (and so read credentials). */
  get databaseFunctions(): nodejs.NodejsFunction[] {
    return FUNCTION_NAMES.filter((name) => FUNCTION_SPECS[name].touchesDatabase).map(
      (name) => this.functions[name],
    );
  }
}

/** Why this role has Resource "*" statements: one sentence per statement, so each is accounted for. */
function wildcardResourceReason(spec: FunctionSpec, readsStorage: boolean): string {
  return [
    'Resource "*" only where AWS offers nothing narrower:',
    'X-Ray PutTraceSegments/PutTelemetryRecords for active tracing (X-Ray has no resource-level permissions).',
    spec.touchesDatabase
      ? 'The EC2 network-interface actions Lambda uses to attach the function to the VPC (the Describe* actions cannot be scoped, and Lambda checks the role for them on "*" when it creates the function).'
      : '',
    spec.describesAlarms
      ? 'cloudwatch:DescribeAlarms, read-only, for the health gate: the jobs name their alarms at run time and may name composite alarms, which DescribeAlarms only returns with "*".'
      : '',
    readsStorage
      ? "cloudwatch:GetMetricData, read-only, for the preflight's FreeStorageSpace of the connections' RDS instances: GetMetricData has no resource-level permissions."
      : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function constructId(name: LowtideFunctionName): string {
  return `${name[0]!.toUpperCase()}${name.slice(1)}Function`;
}

/** What AWSLambdaVPCAccessExecutionRole grants for networking, without its logs:* on every log group. */
function vpcNetworkInterfaceStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
    resources: ['*'],
  });
}

export { bundlingOptions } from '../bundling/bundling-options';
