// The example deployment: what `npx cdk synth` builds and what the Lambdas look jobs up in.
// Plain data and imported job specs only (no aws-cdk-lib): this file is bundled into the Lambdas.
// The ids below are placeholders; replace them with your VPC, subnets, databases and secrets.
import backfillAccountTier from './examples/jobs/backfill-account-tier';
import purgeExpiredSessions from './examples/jobs/purge-expired-sessions';
import { defineConfig } from './src/config';

export default defineConfig({
  name: 'lowtide',
  network: {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
  },
  connections: {
    // Aurora PostgreSQL, credentials in Secrets Manager; lag alarm on the reader's AuroraReplicaLag.
    primary: {
      engine: 'postgres',
      host: 'orders.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
      database: 'orders',
      auth: { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lowtide/orders-AbCdEf' },
      securityGroupId: 'sg-0a1b2c3d4e5f60718',
      replicas: [
        { name: 'orders-reader-1', host: 'orders-reader-1.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com' },
      ],
      lagAlarm: { service: 'aurora', replicaInstanceIds: ['orders-reader-1'] },
    },
    // RDS for MySQL with a read replica, IAM database authentication (no password anywhere).
    sessions: {
      engine: 'mysql',
      host: 'sessions.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
      database: 'identity',
      auth: { iamUser: 'lowtide', resourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY1' },
      securityGroupId: 'sg-0f1e2d3c4b5a69788',
      replicas: [
        { name: 'sessions-replica-1', host: 'sessions-replica-1.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com' },
      ],
      lagAlarm: { service: 'rds', replicaInstanceIds: ['sessions-replica-1'], thresholdSeconds: 10 },
    },
  },
  jobs: [
    {
      job: backfillAccountTier,
      // 01:00 Berlin time every night, for at most five hours.
      schedule: {
        cron: '0 1 * * ? *',
        timeZone: 'Europe/Berlin',
        durationMinutes: 300,
        flexibleWindowMinutes: 15,
      },
    },
    {
      job: purgeExpiredSessions,
      // Every 30 minutes during office hours on weekdays, each run at most 25 minutes.
      schedule: {
        cron: '0/30 8-17 ? * MON-FRI *',
        timeZone: 'Europe/Berlin',
        durationMinutes: 25,
        flexibleWindowMinutes: 5,
      },
    },
  ],
  notifications: { emails: ['data-platform@example.com'] },
});
