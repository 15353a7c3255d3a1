import { handLoop } from './hand-loop';
import { lowtide } from './lowtide';
import { monolithic } from './monolithic';
import { ptArchiver } from './pt-archiver';
import type { Contender } from './types';

/** Every contender, in the order they run on each work item. */
export const CONTENDERS: readonly Contender[] = [monolithic, handLoop, ptArchiver, lowtide];

export type { Contender, ContenderName, ContenderRun } from './types';
