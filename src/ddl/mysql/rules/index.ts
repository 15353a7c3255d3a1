import type { Rule } from '../../types';
import type { MyStatement } from '../statement';
import { alterBlocksWrites } from './alter-blocks-writes';
import { alterCopy } from './alter-copy';
import { alterRebuildsTable } from './alter-rebuilds-table';
import { defaultEvaluatedOnce } from './default-evaluated-once';
import { dropColumn } from './drop-column';
import { dropTable } from './drop-table';
import { missingLockWaitTimeout } from './missing-lock-wait-timeout';
import { onlineClauseUnsupported } from './online-clause-unsupported';
import { optimizeTable } from './optimize-table';
import { rename } from './rename';
import { truncate } from './truncate';
import { unbatchedDml } from './unbatched-dml';

/** Every MySQL/MariaDB rule, in report order. Adding a rule: one file here and one line in this list. */
export const MYSQL_RULES: readonly Rule<MyStatement>[] = [
  onlineClauseUnsupported,
  alterCopy,
  alterBlocksWrites,
  alterRebuildsTable,
  optimizeTable,
  defaultEvaluatedOnce,
  rename,
  dropColumn,
  dropTable,
  truncate,
  unbatchedDml,
  missingLockWaitTimeout,
];

export { mysqlUnparsed } from './unparsed';
