/** Formatting shared by every human-readable output; plain functions so tests can pin them. */

/** `1234567` -> `1,234,567`. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Milliseconds as `850 ms`, `12.3 s`, `4m 05s` or `2h 03m`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(s).padStart(2, '0')}s`;
}

/** Rows per second, rounded to what a human compares: `12,400 rows/s`, `3.5 rows/s`. */
export function rate(rowsPerSecond: number | undefined): string {
  if (rowsPerSecond === undefined || !Number.isFinite(rowsPerSecond)) return '? rows/s';
  return rowsPerSecond >= 100 ? `${count(rowsPerSecond)} rows/s` : `${rowsPerSecond.toFixed(1)} rows/s`;
}
