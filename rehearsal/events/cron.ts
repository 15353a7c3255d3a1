/**
 * EventBridge Scheduler cron expressions, as "Schedule types in EventBridge Scheduler" (EventBridge
 * Scheduler User Guide) describes them: six fields (minutes hours day-of-month month day-of-week
 * year), exactly one of day-of-month and day-of-week `?`, `L` and `W` in day-of-month, `L` and `#`
 * in day-of-week (1 = SUN ... 7 = SAT), read in the schedule's time zone.
 *
 * Daylight saving time, same page: "When the time shifts forward in Spring, your schedule
 * invocation gets skipped if the cron expression falls on a non-existent date and time. When the
 * time shifts back in the Fall, your schedule runs only once" (here: at the first of the two).
 */

export class CronError extends Error {
  override readonly name = 'CronError';
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

type DayTest = (year: number, month: number, day: number) => boolean;

export interface CronSchedule {
  readonly expression: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: ReadonlySet<number>;
  readonly years: ReadonlySet<number>;
  readonly day: DayTest;
}

/** Parses `cron(m h dom mon dow y)`; a clear CronError says which field is wrong. */
export function parseCron(expression: string): CronSchedule {
  const wrapped = /^\s*cron\((.*)\)\s*$/s.exec(expression);
  if (!wrapped) throw new CronError(`'${expression}' is not a cron(...) expression`);
  const fields = wrapped[1]!.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new CronError(
      `'${expression}' must have 6 fields (minutes hours day-of-month month day-of-week year)`,
    );
  }
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw new CronError(`'${expression}': exactly one of day-of-month and day-of-week must be '?'`);
  }
  return {
    expression,
    minutes: [...parseList(minutes, 'minutes', 0, 59)].sort((a, b) => a - b),
    hours: [...parseList(hours, 'hours', 0, 23)].sort((a, b) => a - b),
    months: parseList(month, 'month', 1, 12, MONTHS),
    years: parseList(year, 'year', 1970, 2199),
    day: dom === '?' ? dayOfWeekTest(dow) : dayOfMonthTest(dom),
  };
}

/** `*`, `a`, `a-b`, `*\/s`, `a/s`, `a-b/s`, and comma-separated lists of those. */
function parseList(
  field: string,
  name: string,
  min: number,
  max: number,
  names?: readonly string[],
): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(part);
    if (!m) throw new CronError(`${name} field '${field}': cannot read '${part}'`);
    const from = m[1] === '*' ? min : value(m[1]!, name, min, max, names);
    const to =
      m[2] !== undefined
        ? value(m[2], name, min, max, names)
        : m[1] === '*' || m[3] !== undefined
          ? max
          : from;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (step < 1) throw new CronError(`${name} field '${field}': the step must be at least 1`);
    if (to < from) throw new CronError(`${name} field '${field}': range ${m[1]}-${m[2]} runs backwards`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function value(text: string, name: string, min: number, max: number, names?: readonly string[]): number {
  const named = names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? named + 1 : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max)) {
    throw new CronError(
      `${name} field: '${text}' is not in ${min}-${max}${names ? ` or ${names[0]}-${names.at(-1)}` : ''}`,
    );
  }
  return n;
}

/** `L` last day, `LW` last weekday, `nW` the weekday nearest to day n (within the month). */
function dayOfMonthTest(field: string): DayTest {
  if (field === 'L') return (y, m, d) => d === daysIn(y, m);
  if (field === 'LW') return (y, m, d) => d === lastWeekday(y, m);
  const w = /^(\d+)W$/.exec(field);
  if (w) {
    const n = value(w[1]!, 'day-of-month', 1, 31, undefined);
    return (y, m, d) => n <= daysIn(y, m) && d === nearestWeekday(y, m, n);
  }
  const days = parseList(field, 'day-of-month', 1, 31);
  return (_y, _m, d) => days.has(d);
}

/** `L` Saturday (the last day of the week), `nL` the month's last day n, `n#k` its k-th day n. */
function dayOfWeekTest(field: string): DayTest {
  if (field === 'L') return (y, m, d) => weekday(y, m, d) === 7;
  const last = /^([A-Za-z0-9]+)L$/.exec(field);
  if (last) {
    const n = value(last[1]!, 'day-of-week', 1, 7, DAYS);
    return (y, m, d) => weekday(y, m, d) === n && d + 7 > daysIn(y, m);
  }
  const nth = /^([A-Za-z0-9]+)#(\d)$/.exec(field);
  if (nth) {
    const n = value(nth[1]!, 'day-of-week', 1, 7, DAYS);
    const k = value(nth[2]!, 'day-of-week #', 1, 5, undefined);
    return (y, m, d) => weekday(y, m, d) === n && Math.ceil(d / 7) === k;
  }
  const days = parseList(field, 'day-of-week', 1, 7, DAYS);
  return (y, m, d) => days.has(weekday(y, m, d));
}

/** 1 = Sunday ... 7 = Saturday, as cron numbers them. */
function weekday(y: number, m: number, d: number): number {
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;
}

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function lastWeekday(y: number, m: number): number {
  let d = daysIn(y, m);
  while (weekday(y, m, d) === 1 || weekday(y, m, d) === 7) d--;
  return d;
}

function nearestWeekday(y: number, m: number, n: number): number {
  const w = weekday(y, m, n);
  if (w === 7) return n === 1 ? 3 : n - 1; // Saturday: Friday before, or Monday when the 1st
  if (w === 1) return n === daysIn(y, m) ? n - 2 : n + 1; // Sunday: Monday after, or Friday when the last
  return n;
}

/** Looks this far ahead before saying a schedule never fires again. */
const HORIZON_DAYS = 366 * 8;

/**
 * The first time strictly after `after` that the cron expression fires in `timeZone` (an IANA
 * name; default UTC), or undefined when it never fires again.
 */
export function nextCronTime(
  expression: string | CronSchedule,
  timeZone = 'UTC',
  after: Date,
): Date | undefined {
  const cron = typeof expression === 'string' ? parseCron(expression) : expression;
  const zone = zoneOf(timeZone);
  const start = zone.parts(after.getTime());
  let date = Date.UTC(start.year, start.month - 1, start.day);
  for (let i = 0; i < HORIZON_DAYS; i++, date += 86_400_000) {
    const day = new Date(date);
    const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    if (y > 2199) return undefined;
    if (!cron.years.has(y) || !cron.months.has(m) || !cron.day(y, m, d)) continue;
    for (const hour of cron.hours) {
      for (const minute of cron.minutes) {
        const instant = zone.firstInstant(y, m, d, hour, minute);
        if (instant !== undefined && instant > after.getTime()) return new Date(instant);
      }
    }
  }
  return undefined;
}

interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

interface Zone {
  parts(instant: number): LocalParts;
  /** The earliest instant showing this wall-clock time; undefined when DST skips it. */
  firstInstant(year: number, month: number, day: number, hour: number, minute: number): number | undefined;
}

const zones = new Map<string, Zone>();

export function zoneOf(timeZone: string): Zone {
  const cached = zones.get(timeZone);
  if (cached) return cached;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
  } catch {
    throw new CronError(`'${timeZone}' is not an IANA time zone such as 'Europe/Berlin'`);
  }
  const parts = (instant: number): LocalParts => {
    const p = Object.fromEntries(format.formatToParts(instant).map((x) => [x.type, Number(x.value)]));
    return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute! };
  };
  const offset = (instant: number) => {
    const p = parts(instant);
    const floored = Math.floor(instant / 60_000) * 60_000;
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - floored;
  };
  const zone: Zone = {
    parts,
    firstInstant(year, month, day, hour, minute) {
      const wall = Date.UTC(year, month - 1, day, hour, minute);
      // Every offset in force within a day either side: before and after any transition.
      const offsets = new Set([offset(wall - 86_400_000), offset(wall), offset(wall + 86_400_000)]);
      const candidates = [...offsets]
        .map((o) => wall - o)
        .filter((t) => {
          const p = parts(t);
          return (
            p.year === year && p.month === month && p.day === day && p.hour === hour && p.minute === minute
          );
        })
        .sort((a, b) => a - b);
      return candidates[0];
    },
  };
  zones.set(timeZone, zone);
  return zone;
}
