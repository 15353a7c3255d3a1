import {
  type HealthContext,
  type HealthDecision,
  type HealthSignal,
  type SignalReading,
  VERDICT_SEVERITY,
} from './types';

async function readSafely(signal: HealthSignal, ctx: HealthContext): Promise<SignalReading> {
  try {
    return await signal.read(ctx);
  } catch (error) {
    // Unknown health is not health: an unreadable signal holds the job back until it reads again.
    return {
      signal: signal.name,
      verdict: 'wait',
      reason: `${signal.name} could not be read: ${(error as Error).message}`,
    };
  }
}

/**
 * Asks every signal and keeps the most severe verdict (abort > pause > stop > wait > ok). Abort and
 * pause requests are read first and alone: when they decide, the database and CloudWatch are not
 * bothered.
 */
export async function evaluateHealth(
  signals: readonly HealthSignal[],
  ctx: HealthContext,
): Promise<HealthDecision> {
  const [first, ...rest] = signals;
  const readings: SignalReading[] = [];
  if (first) {
    const reading = await readSafely(first, ctx);
    readings.push(reading);
    if (reading.verdict === 'abort' || reading.verdict === 'pause') return decide(readings);
  }
  readings.push(...(await Promise.all(rest.map((s) => readSafely(s, ctx)))));
  return decide(readings);
}

function decide(readings: SignalReading[]): HealthDecision {
  let decisive: SignalReading | undefined;
  for (const r of readings) {
    if (r.verdict !== 'ok' && (!decisive || VERDICT_SEVERITY[r.verdict] > VERDICT_SEVERITY[decisive.verdict]))
      decisive = r;
  }
  return { verdict: decisive?.verdict ?? 'ok', decisive, readings };
}
