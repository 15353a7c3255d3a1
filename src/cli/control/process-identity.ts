import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { LeaseHolder, LocalLeaseHolders } from '../../control/types';

/** A local process: host, pid and start time, so a later process given the same pid is not it. */
export type ProcessIdentity = LeaseHolder;

type Probe = { readonly running: false } | { readonly running: true; readonly start: string };

/** Whether a process with this id exists (signal 0 checks without signalling). */
function pidExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootId: string | undefined;

/** Start times in /proc count from boot, so the boot names which count they belong to. */
function linuxBootId(): string {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = '';
    }
  }
  return bootId;
}

/**
 * Linux: /proc/<pid>/stat. Field 3 is the state (Z and X: exited, only not yet reaped by its parent)
 * and field 22 the start time in clock ticks since boot. The command name (field 2) sits in
 * parentheses and may itself hold spaces and parentheses, so fields are counted after the last ')'.
 */
function probeLinux(pid: number): Probe {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { running: false };
    return { running: true, start: '' };
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X' || state === 'x') return { running: false };
  const ticks = fields[22 - 3];
  return { running: true, start: ticks ? `linux:${linuxBootId()}:${ticks}` : '' };
}

/** macOS and the BSDs: `ps` prints the state and the start time (to the second). */
function probePs(pid: number): Probe {
  let out: string;
  try {
    out = execFileSync('ps', ['-o', 'stat=,lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, LC_ALL: 'C' },
      timeout: 5_000,
    }).trim();
  } catch {
    // ps exits non-zero when no process matches; the pid was there a moment ago, so look again.
    return pidExists(pid) ? { running: true, start: '' } : { running: false };
  }
  if (out === '') return { running: false };
  const [state = '', ...start] = out.split(/\s+/);
  if (state.startsWith('Z')) return { running: false };
  return { running: true, start: `ps:${start.join(' ')}` };
}

function probe(pid: number): Probe {
  if (!pidExists(pid)) return { running: false };
  if (process.platform === 'linux') return probeLinux(pid);
  if (process.platform === 'win32') return { running: true, start: '' };
  return probePs(pid);
}

let self: ProcessIdentity | undefined;

/** This process, as others will see it. */
export function selfIdentity(): ProcessIdentity {
  if (!self) {
    const found = probe(process.pid);
    self = { host: hostname(), pid: process.pid, start: found.running ? found.start : '' };
  }
  return self;
}

/**
 * Whether the process `identity` names is known to be gone: no such pid, exited, or the pid now
 * belongs to a process that started at another time. A process on another host is never judged
 * gone from here, and an unknown start time leaves the pid alone to decide.
 */
export function processGone(identity: ProcessIdentity): boolean {
  if (identity.host !== hostname()) return false;
  const found = probe(identity.pid);
  if (!found.running) return true;
  return identity.start !== '' && found.start !== '' && identity.start !== found.start;
}

/** Whether a process with this pid runs (any process: use processGone to tell one process). */
export function processAlive(pid: number): boolean {
  return probe(pid).running;
}

/** For the local control store: leases name this process, and a gone holder's lease is over. */
export function localLeaseHolders(): LocalLeaseHolders {
  return { self: selfIdentity(), isGone: processGone };
}

/** A ProcessIdentity read back from a file, or undefined when it is not one. */
export function parseIdentity(value: unknown): ProcessIdentity | undefined {
  const v = value as Partial<ProcessIdentity> | null | undefined;
  if (!v || typeof v !== 'object') return undefined;
  if (typeof v.host !== 'string' || typeof v.start !== 'string') return undefined;
  if (!Number.isInteger(v.pid) || (v.pid as number) <= 0) return undefined;
  return { host: v.host, pid: v.pid as number, start: v.start };
}
