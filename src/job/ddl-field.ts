import { z } from 'zod';

/**
 * The `ddl` field of a job: the SQL it runs outside its batch template, in order, as one session
 * would run it. Each entry is one statement or a short script. Its shape belongs to the job spec;
 * what the statements may do is src/ddl's to judge.
 */
export const ddlSpecSchema = z
  .object({
    statements: z
      .array(z.string().trim().min(1, 'must not be empty'))
      .min(1, 'must list at least one statement'),
  })
  .strict();

export type DdlSpec = z.output<typeof ddlSpecSchema>;
