import { startPostgresReplicaPair } from '../support/replicas';
import { describeRuntimeReplicaLag } from './runtime-lag-cases';

describeRuntimeReplicaLag({
  title: 'a backfill through the local runtime, gated by a real PostgreSQL replica',
  engine: 'postgres',
  start: () => startPostgresReplicaPair(),
  applyStoppedDetail: /replay paused/,
  ioStoppedDetail: /not receiving WAL/,
});
