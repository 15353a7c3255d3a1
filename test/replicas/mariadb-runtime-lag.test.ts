import { startMariadbReplicaPair } from '../support/replicas';
import { describeRuntimeReplicaLag } from './runtime-lag-cases';

describeRuntimeReplicaLag({
  title: 'a backfill through the local runtime, gated by a real MariaDB replica',
  engine: 'mysql',
  start: () => startMariadbReplicaPair(),
  applyStoppedDetail: /SQL thread is not running/,
  ioStoppedDetail: /IO thread is not running/,
});
