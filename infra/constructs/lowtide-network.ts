import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Network } from '../../src/config';

export interface LowtideNetworkProps {
  /**
   * An existing VPC given by ids. When absent, a VPC is created: two availability zones of isolated
   * subnets (no NAT), flow logs, a DynamoDB gateway endpoint and interface endpoints for Secrets
   * Manager and CloudWatch, which is all the database-touching functions call.
   * @default - a new VPC
   */
  readonly network?: Network;
  /**
   * Log group retention of the VPC flow logs (created VPC only).
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Some job is gated by an AppConfig feature flag: the preflight and health-gate functions, which
   * run in the VPC, then also need the AppConfig data endpoint (appconfigdata).
   * @default false
   */
  readonly featureFlags?: boolean;
}

/** Where the database-touching functions run, and the security group they run with. */
export class LowtideNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** The functions' security groups; `connections` below opens the way to each database. */
  readonly securityGroups: ec2.ISecurityGroup[];
  readonly connections: ec2.Connections;
  /** True when this construct created the VPC (and so its endpoints). */
  readonly createdVpc: boolean;

  constructor(scope: Construct, id: string, props: LowtideNetworkProps = {}) {
    super(scope, id);
    const { network } = props;
    if (network) {
      this.createdVpc = false;
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: network.vpcId,
        availabilityZones: network.availabilityZones,
        privateSubnetIds: network.subnetIds,
        privateSubnetRouteTableIds: network.routeTableIds,
      });
      if (!network.routeTableIds) {
        Validations.of(this).acknowledge({
          id: '@aws-cdk/aws-ec2:noSubnetRouteTableId',
          reason:
            'Route tables of an imported VPC are only needed for the DynamoDB gateway endpoint (createEndpoints), which the config validation requires routeTableIds for.',
        });
      }
      this.subnets = {
        subnets: network.subnetIds.map((subnetId, i) =>
          ec2.Subnet.fromSubnetAttributes(this, `Subnet${i}`, {
            subnetId,
            availabilityZone: network.availabilityZones[i % network.availabilityZones.length],
            routeTableId: network.routeTableIds?.[i],
          }),
        ),
      };
    } else {
      this.createdVpc = true;
      const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
        retention: props.flowLogRetention ?? logs.RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.vpc = new ec2.Vpc(this, 'Vpc', {
        maxAzs: 2,
        natGateways: 0,
        subnetConfiguration: [
          { name: 'functions', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
        ],
        flowLogs: {
          all: {
            destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
            trafficType: ec2.FlowLogTrafficType.ALL,
          },
        },
      });
      this.subnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    }

    if (network?.securityGroupIds) {
      this.securityGroups = network.securityGroupIds.map((sg, i) =>
        ec2.SecurityGroup.fromSecurityGroupId(this, `FunctionSecurityGroup${i}`, sg, { mutable: false }),
      );
    } else {
      const sg = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
        vpc: this.vpc,
        description: 'lowtide database functions: egress to the databases and to AWS APIs over HTTPS only',
        allowAllOutbound: false,
      });
      // AWS APIs (DynamoDB, Secrets Manager, CloudWatch) answer on 443, through endpoints or a NAT gateway.
      sg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs over HTTPS');
      this.securityGroups = [sg];
    }
    this.connections = new ec2.Connections({ securityGroups: this.securityGroups });

    if (this.createdVpc || network?.createEndpoints) this.addEndpoints(props.featureFlags ?? false);
  }

  /**
   * Opens the database port from the functions to a database: egress on the functions' group
   * (when this construct created it) and ingress on the database's group.
   */
  allowDatabase(id: string, port: number, databaseSecurityGroupId?: string): void {
    const portRule = ec2.Port.tcp(port);
    if (databaseSecurityGroupId) {
      const dbGroup = ec2.SecurityGroup.fromSecurityGroupId(
        this,
        `${id}DatabaseSecurityGroup`,
        databaseSecurityGroupId,
        {
          mutable: true,
          allowAllOutbound: false,
        },
      );
      this.connections.allowTo(dbGroup, portRule, `lowtide to database ${id}`);
    } else {
      this.connections.allowToAnyIpv4(portRule, `lowtide to database ${id}`);
    }
  }

  private addEndpoints(featureFlags: boolean): void {
    const subnets = this.subnets;
    this.vpc.addGatewayEndpoint('DynamoDbEndpoint', {
      service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [subnets],
    });
    for (const [id, service] of [
      ['SecretsManagerEndpoint', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
      ['CloudWatchEndpoint', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING],
      ...(featureFlags
        ? ([['AppConfigDataEndpoint', ec2.InterfaceVpcEndpointAwsService.APPCONFIGDATA]] as const)
        : []),
    ] as const) {
      // Closed by default and opened to the functions only: an imported VPC's CIDR is not known here.
      const endpoint = this.vpc.addInterfaceEndpoint(id, {
        service,
        subnets,
        open: false,
        privateDnsEnabled: true,
      });
      endpoint.connections.allowDefaultPortFrom(this.connections, 'lowtide functions');
    }
  }
}
