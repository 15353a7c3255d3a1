import { DdlGuardInputError } from './errors';

/** A server release, as far as the rules care: major.minor.patch. */
export interface ServerVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** The release of each server the rules are applied for; a missing one takes its default below. */
export interface ServerVersions {
  readonly postgres?: ServerVersion;
  readonly mysql?: ServerVersion;
  readonly mariadb?: ServerVersion;
}

/**
 * What the rules assume when no version is given or read. Every version-dependent PostgreSQL rule
 * changes at 11, 12 or 14, so any release the PostgreSQL project still supports reads alike: 14 is
 * the oldest of them. MySQL 8.4 is the current long-term release (it behaves as 8.0.29 and later);
 * MariaDB 10.11 is the oldest long-term release still maintained and the one the tests run on.
 */
export const DEFAULT_VERSIONS: Required<ServerVersions> = {
  postgres: { major: 14, minor: 0, patch: 0 },
  mysql: { major: 8, minor: 4, patch: 0 },
  mariadb: { major: 10, minor: 11, patch: 0 },
};

const VERSION = /^(\d{1,3})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?$/;

/** `15`, `8.0.28`, `10.3` (a `-MariaDB` or other suffix is ignored); undefined when it is none of these. */
export function parseVersion(text: string): ServerVersion | undefined {
  const m = VERSION.exec(text.trim().split(/[-+\s~]/)[0] ?? '');
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0) };
}

/** Parses a `--pg-version`-style flag, or says what to pass instead. */
export function versionFlag(flag: string, text: string | undefined): ServerVersion | undefined {
  if (text === undefined) return undefined;
  const version = parseVersion(text);
  if (!version) {
    throw new DdlGuardInputError(
      `${flag} ${JSON.stringify(text)} is not a version: pass major[.minor[.patch]], e.g. 15 or 8.0.28`,
    );
  }
  return version;
}

export function atLeast(v: ServerVersion, major: number, minor = 0, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

export function formatVersion(v: ServerVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** What `Database.serverVersion()` answers (`postgres 15.4`, `mariadb 10.11.6`, `mysql 8.0.36`) as versions. */
export function versionsFromServer(answer: string): ServerVersions {
  const [flavour = '', text = ''] = answer.trim().toLowerCase().split(/\s+/);
  const version = parseVersion(text);
  if (!version) return {};
  if (flavour === 'postgres') return { postgres: version };
  if (flavour === 'mysql') return { mysql: version };
  if (flavour === 'mariadb') return { mariadb: version };
  return {};
}
