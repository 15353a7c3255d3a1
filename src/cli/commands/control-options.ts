import type { ControlTargetOptions } from '../control/control-target';

/** The flags every control command shares (commander hands them over as an object). */
export interface ControlFlags extends ControlTargetOptions {
  readonly by?: string;
}

export function targetOptions(flags: ControlFlags): ControlTargetOptions {
  return { stack: flags.stack, table: flags.table, stateMachine: flags.stateMachine, region: flags.region };
}
