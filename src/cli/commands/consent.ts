import { InvalidControlInputError } from '../../control/errors';
import type { CliContext } from '../context';
import { openControlTarget } from '../control/control-target';
import { BadInputError } from '../errors';
import { resolveJobId } from '../load-job';
import { operatorName } from '../operator';
import { type CommandResult, result } from '../output';
import { type ControlFlags, targetOptions } from './control-options';

export interface ConsentFlags extends ControlFlags {
  readonly note?: string;
}

/**
 * `lowtide consent <job> <fingerprint>`: records an operator's consent to run one DDL statement the
 * guard refused (its fingerprint is in the refusal), with who and when. The next preflight passes it.
 */
export async function consentCommand(
  ctx: CliContext,
  reference: string,
  fingerprint: string,
  flags: ConsentFlags,
): Promise<CommandResult> {
  const jobId = await resolveJobId(reference, ctx.cwd);
  const by = flags.by ?? operatorName(ctx.env);
  const target = await openControlTarget(ctx, targetOptions(flags));
  try {
    const consent = await target.store.recordDdlConsent(jobId, fingerprint, {
      by,
      ...(flags.note ? { note: flags.note } : {}),
    });
    const json = { ok: true, action: 'consent', jobId, fingerprint, where: target.where, consent };
    return result(
      json,
      `job ${jobId}: consent to DDL statement ${fingerprint} recorded (by ${consent.by} at ${consent.at}): start the job again`,
    );
  } catch (error) {
    if (error instanceof InvalidControlInputError) throw new BadInputError(error.message, { cause: error });
    throw error;
  } finally {
    await target.close();
  }
}
