import type { Database } from '../../db/types';
import type { DeclarativeJobSpec, JobSpec } from '../../job/types';
import type { TableRef } from '../../sql/identifiers';
import type { PreflightCheck } from '../preflight/types';

/** What a new run of a job whose last pass completed does (see rerunOf). */
export type Rerun = 'new-pass' | 'resume';

/** The spec of one kind of job, by its `kind`. */
export type SpecOfKind<K extends JobSpec['kind']> = Extract<JobSpec, { readonly kind: K }>;

/**
 * What the engine needs to know about one kind of job (update, delete, archive, custom,
 * rollback), declared once in the kind's module under traits/ and looked up with `kindOf(spec)`,
 * so the rest of the engine asks the kind instead of testing `spec.kind`. How the kind changes a
 * batch is its CompiledJob (see compile.ts); these are the facts the engine reads from the spec
 * alone, before or without compiling it. Adding a kind: one module under traits/, one line in
 * registry.ts and one in compile.ts.
 */
export interface JobKind<S extends JobSpec = JobSpec> {
  /**
   * lowtide writes the change's SQL from the spec (update, delete, archive), so preflight can
   * check the key's type, EXPLAIN the batch selection and plan the change statement.
   */
  readonly declarative: boolean;
  /**
   * Who chooses the keys and carries them between batches. lowtide's keys must be NOT NULL and of
   * a type it carries exactly; an author's keys (custom) are carried as the hooks return them.
   */
  readonly keys: 'lowtide' | 'author';
  /** What a new run does after the last pass completed, unless the spec chooses (see rerunOf). */
  readonly rerun: Rerun;
  /**
   * lowtide can keep before-images of this kind's changes (with rollback.audit), so a job of it
   * can be rolled back and its audit table dropped. Only the declarative specs can.
   */
  readonly beforeImages: S extends DeclarativeJobSpec ? true : false;
  /** Its batches copy each row's before-image into the job's audit table. */
  audited(spec: S): boolean;
  /** The columns the change sets and their SQL expressions; absent where the change sets none. */
  assignments?(spec: S): Readonly<Record<string, string>>;
  /** The table the change moves the rows it removes to, for a rollback to take them back from. */
  movesRowsTo?(spec: S): TableRef;
  /**
   * How postflight judges the job: `walked-range` reads the last pass's ledger as one walk in key
   * order and hands the kind's validate the range it walked; `own` leaves it to the kind's validate.
   */
  readonly postflight: 'walked-range' | 'own';
  /** The job this one undoes (a rollback's original): the counterpart it must not run beside, whose author SQL it runs. */
  undoes?(spec: S): DeclarativeJobSpec;
  /** Why a plan's sample may time only this kind's selection, when it may never try the change. */
  readonly sampleSelectOnly?: string;
  /** Runs once the job's ledger (and audit table) are installed, before its first batch. */
  afterInstall?(db: Database, spec: S): Promise<void>;
  /** The kind's own preflight checks; preflight/registry.ts places them among the common ones. */
  readonly preflight: {
    /** Of the tables the kind uses besides the job's, once the job's own table is checked. */
    readonly tables: readonly PreflightCheck<S>[];
    /** Written by the job's author, after the spec's preflight.checks. */
    readonly authored: readonly PreflightCheck<S>[];
  };
}
