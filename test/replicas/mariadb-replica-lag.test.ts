import { expect, it } from 'vitest';
import { startMariadbReplicaPair } from '../support/replicas';
import { describeReplicaLag } from './replica-lag-cases';

describeReplicaLag({
  title: 'replica lag on a real MariaDB replica',
  start: () => startMariadbReplicaPair(),
  applyStoppedDetail: /SQL thread is not running/,
  ioStoppedDetail: /IO thread is not running/,
  extra(ctx) {
    it('never reports the lag of a stopped SQL thread as a number (Seconds_Behind_Master is NULL then)', async () => {
      const { pair, readLag } = ctx();
      await pair.control.stopSqlThread();
      try {
        const reading = await readLag();
        expect(reading).toMatchObject({ healthy: false, lagSeconds: null });
      } finally {
        await pair.control.startSqlThread();
      }
    });
  },
});
