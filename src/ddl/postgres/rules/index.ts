import type { Rule } from '../../types';
import type { PgStatement } from '../statement';
import { addCheckWithoutNotValid } from './add-check-without-not-valid';
import { addColumnNotNull } from './add-column-not-null';
import { addColumnVolatileDefault } from './add-column-volatile-default';
import { addForeignKeyWithoutNotValid } from './add-foreign-key-without-not-valid';
import { addUniqueWithoutUsingIndex } from './add-unique-without-using-index';
import { alterColumnType } from './alter-column-type';
import { alterDomainAddConstraint } from './alter-domain-add-constraint';
import { cluster } from './cluster';
import { concurrentlyInTransaction } from './concurrently-in-transaction';
import { createIndexWithoutConcurrently } from './create-index-without-concurrently';
import { detachPartition } from './detach-partition';
import { dropColumn } from './drop-column';
import { dropIndexWithoutConcurrently } from './drop-index-without-concurrently';
import { dropTable } from './drop-table';
import { missingLockTimeout } from './missing-lock-timeout';
import { refreshMaterializedView } from './refresh-materialized-view';
import { reindexWithoutConcurrently } from './reindex-without-concurrently';
import { rename } from './rename';
import { rewriteTableOptions } from './rewrite-table-options';
import { setNotNull } from './set-not-null';
import { truncate } from './truncate';
import { unbatchedDml } from './unbatched-dml';
import { vacuumFull } from './vacuum-full';
import { validateInSameTransaction } from './validate-in-same-transaction';

/** Every PostgreSQL rule, in report order. Adding a rule: one file here and one line in this list. */
export const POSTGRES_RULES: readonly Rule<PgStatement>[] = [
  addColumnVolatileDefault,
  addColumnNotNull,
  setNotNull,
  alterColumnType,
  addCheckWithoutNotValid,
  addForeignKeyWithoutNotValid,
  addUniqueWithoutUsingIndex,
  validateInSameTransaction,
  alterDomainAddConstraint,
  createIndexWithoutConcurrently,
  dropIndexWithoutConcurrently,
  concurrentlyInTransaction,
  detachPartition,
  vacuumFull,
  cluster,
  reindexWithoutConcurrently,
  refreshMaterializedView,
  rewriteTableOptions,
  rename,
  dropTable,
  dropColumn,
  truncate,
  unbatchedDml,
  missingLockTimeout,
];

export { pgUnparsed } from './unparsed';
