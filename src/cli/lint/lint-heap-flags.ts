import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for the `lowtide lint` process, set before libpg-query's WASM is compiled (the
 * PostgreSQL analyzer imports it later). A `bin` script cannot pass Node flags portably (a shebang
 * takes one argument on Linux, and re-executing Node costs start-up time), and both settings below
 * are read by V8 when it acts, not when the heap is created, so setting them from inside the
 * process works (measured: docs/benchmarks.md, "lint speed"). Either costs no time on a long script:
 * - `--liftoff-only`: libpg-query's WASM runs on V8's baseline compiler only. By default its hot
 *   parser functions are recompiled by TurboFan on a background thread, which on 5,000 statements
 *   costs about 30 MB of resident memory and more CPU than the faster code saves.
 * - `--semi-space-growth-factor=1`: the young generation keeps its starting size instead of
 *   doubling up to 16 MB semi-spaces while parse trees survive their first collections.
 * Only the lint command sets them: they are process-wide, and other commands run jobs. V8 prints
 * an error on standard error for a flag it does not know, so they are set only on V8 11 to 13
 * (Node 20 to 24; measured on Node 20); another Node lints the same, with V8's own defaults.
 */
export function useLintHeapFlags(v8Version: string = process.versions.v8): void {
  const major = Number(v8Version.split('.', 1)[0]);
  if (!(major >= 11 && major <= 13)) return;
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--semi-space-growth-factor=1');
}
