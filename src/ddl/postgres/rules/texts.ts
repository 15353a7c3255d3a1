/** Safe sequences more than one rule points to. */

export const NOT_NULL_RECIPE =
  "Add the column nullable (a constant DEFAULT is fine: PostgreSQL 11+ stores it without a rewrite), backfill existing rows in batches, then ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a separate transaction, SET NOT NULL (no scan thanks to the validated check) and drop the check: lowtide's add-not-null-column recipe runs exactly these steps.";

export const SET_LOCK_TIMEOUT =
  "Run SET lock_timeout = '2s' (or less) before it and retry on timeout, so a long transaction holding the table makes the statement give up instead of queueing every other query behind it.";

export const EXPAND_CONTRACT =
  'Expand and contract: add the new name alongside the old one (new column or table, or a view under the old name), make the application use both, move it to the new one, and drop the old one in a later deploy once nothing uses it.';
