import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../../db/types';
import { MAX_MEMBER_RUN_ID, MEMBER_NAME, memberRunId } from '../../job/job-id';
import { CONNECTIONS_FILE, engineOfUrl, redactUrl } from '../database-url';
import { BadInputError } from '../errors';

/** One database of a fleet, as `lowtide.connections.json` lists it. */
export interface FleetMember {
  readonly name: string;
  readonly url: string;
  readonly engine: Engine;
  /** Alarms that pause this member only (besides the job's own `health.alarms`). */
  readonly alarms: readonly string[];
}

export interface ConnectionGroup {
  readonly name: string;
  readonly members: readonly FleetMember[];
}

/**
 * A member's name from its URL when the file gives none: the database the URL names, else its
 * host, lowercased with anything but letters, digits and - made a -. Deterministic, so a member
 * keeps its run (its control state and ledger rows) from one run of the fleet to the next.
 */
export function memberNameOfUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '';
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const raw = database || parsed.hostname;
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
}

const SHAPE = `a list of URLs or of { "name", "url", "alarms"? } objects, e.g. { "shards": ["postgres://.../a", "postgres://.../b"] }`;

function parseMember(group: string, entry: unknown, index: number): FleetMember {
  const where = `${CONNECTIONS_FILE}: "${group}"[${index}]`;
  let name: unknown;
  let url: unknown;
  let alarms: unknown = [];
  if (typeof entry === 'string') {
    url = entry;
    name = memberNameOfUrl(entry);
  } else if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
    const unknownKeys = Object.keys(entry).filter((k) => !['name', 'url', 'alarms'].includes(k));
    if (unknownKeys.length > 0)
      throw new BadInputError(
        `${where} has unknown field(s) ${unknownKeys.join(', ')}: use name, url and alarms`,
      );
    ({ name, url } = entry as Record<string, unknown>);
    alarms = (entry as Record<string, unknown>).alarms ?? [];
    if (name === undefined && typeof url === 'string') name = memberNameOfUrl(url);
  } else {
    throw new BadInputError(`${where} must be a URL string or a { "name", "url" } object`);
  }
  if (typeof url !== 'string' || url === '')
    throw new BadInputError(`${where}: url must be a database URL string`);
  if (typeof name !== 'string' || !MEMBER_NAME.test(name)) {
    throw new BadInputError(
      `${where}: member name '${String(name)}' is not valid: give it a "name" of lowercase letters, digits and -, at most 32 characters, starting with a letter or digit`,
    );
  }
  if (!Array.isArray(alarms) || alarms.some((a) => typeof a !== 'string' || a === '')) {
    throw new BadInputError(`${where}: alarms must be a list of alarm names`);
  }
  const engine = engineOfUrl(url, `${where} (${redactUrl(url)})`);
  return { name, url, engine, alarms: alarms as string[] };
}

/** Parses one group's entry of the connections file, checking names are unique. */
export function parseConnectionGroup(name: string, value: unknown): ConnectionGroup {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadInputError(`${CONNECTIONS_FILE}: "${name}" must be ${SHAPE}, with at least one member`);
  }
  const members = value.map((entry, i) => parseMember(name, entry, i));
  const seen = new Map<string, number>();
  members.forEach((m, i) => {
    const first = seen.get(m.name);
    if (first !== undefined) {
      throw new BadInputError(
        `${CONNECTIONS_FILE}: "${name}"[${first}] and [${i}] are both member '${m.name}': give them distinct "name"s ({ "name": "...", "url": "..." })`,
      );
    }
    seen.set(m.name, i);
  });
  return { name, members };
}

/**
 * The connection group a job's `database` names in `lowtide.connections.json` in `cwd`, or
 * undefined when the file is missing or the name is a single URL (or absent) there.
 */
export async function readConnectionGroup(
  cwd: string,
  connection: string,
): Promise<ConnectionGroup | undefined> {
  let text: string;
  try {
    text = await readFile(join(cwd, CONNECTIONS_FILE), 'utf8');
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined; // the single-URL reader reports a broken file
  }
  const value = (parsed as Record<string, unknown> | null)?.[connection];
  if (!Array.isArray(value)) return undefined;
  return parseConnectionGroup(connection, value);
}

/** Refuses a member whose run id would not fit where job ids go (execution names, lock names). */
export function checkMemberRunIds(jobId: string, group: ConnectionGroup): void {
  for (const m of group.members) {
    const runId = memberRunId(jobId, m.name);
    if (runId.length > MAX_MEMBER_RUN_ID) {
      throw new BadInputError(
        `member '${m.name}' of "${group.name}" runs as '${runId}', ${runId.length} characters; at most ${MAX_MEMBER_RUN_ID}: give the member a shorter "name"`,
      );
    }
  }
}
