import { z } from 'zod';

const CRON_FIELD = /^[0-9A-Za-z*?,/#-]+$/;
const CRON_FIELD_NAMES = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'] as const;

/**
 * Checks an EventBridge Scheduler cron expression (six fields, with or without the `cron(...)`
 * wrapper). Scheduler itself only rejects a bad expression at deploy time, minutes into a
 * deployment; this catches the common mistakes at synth time.
 */
export function cronProblem(expression: string): string | undefined {
  const body = unwrapCron(expression);
  const fields = body.split(/\s+/).filter(Boolean);
  if (fields.length !== 6) {
    return `must have 6 fields (${CRON_FIELD_NAMES.join(' ')}), e.g. '0 2 * * ? *'; got ${fields.length}`;
  }
  for (const [i, field] of fields.entries()) {
    if (!CRON_FIELD.test(field))
      return `field ${CRON_FIELD_NAMES[i]} has characters cron does not allow: '${field}'`;
  }
  const dayOfMonth = fields[2]!;
  const dayOfWeek = fields[4]!;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return "exactly one of day-of-month and day-of-week must be '?', e.g. '0 2 * * ? *' or '0 2 ? * MON-FRI *'";
  }
  return undefined;
}

function unwrapCron(expression: string): string {
  const trimmed = expression.trim();
  const wrapped = /^cron\((.*)\)$/s.exec(trimmed);
  return wrapped ? wrapped[1]!.trim() : trimmed;
}

/** The expression in the form Scheduler expects: `cron(m h dom mon dow y)`. */
export function normalizeCron(expression: string): string {
  return `cron(${unwrapCron(expression).split(/\s+/).filter(Boolean).join(' ')})`;
}

export function timeZoneProblem(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return undefined;
  } catch {
    return `must be an IANA time zone such as 'Europe/Berlin' or 'America/New_York'; got '${timeZone}'`;
  }
}

export const scheduleSchema = z
  .object({
    /** When runs start: an EventBridge Scheduler cron expression, e.g. '0 2 * * ? *' (02:00 every day). */
    cron: z.string().superRefine((value, ctx) => {
      const problem = cronProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    /** IANA time zone the cron expression is read in; daylight saving time is followed. */
    timeZone: z.string().superRefine((value, ctx) => {
      const problem = timeZoneProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    /**
     * Length of the run window from the scheduled time. Preflight turns it into an end time; the
     * run checkpoints and stops cleanly when the window closes.
     */
    durationMinutes: z
      .number()
      .int()
      .min(5)
      .max(24 * 60),
    /** Scheduler may start the run up to this many minutes late, spreading load. Default 15. */
    flexibleWindowMinutes: z.number().int().min(1).max(1440).default(15),
    /** A disabled schedule is deployed but starts nothing. */
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((schedule, ctx) => {
    if (schedule.flexibleWindowMinutes >= schedule.durationMinutes) {
      ctx.addIssue({
        code: 'custom',
        path: ['flexibleWindowMinutes'],
        message: `(${schedule.flexibleWindowMinutes}) must be shorter than durationMinutes (${schedule.durationMinutes}), or a late start could leave no window at all`,
      });
    }
  });

export type ScheduleInput = z.input<typeof scheduleSchema>;
export type Schedule = z.output<typeof scheduleSchema>;
