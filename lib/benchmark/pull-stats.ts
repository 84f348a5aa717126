/**
 * Per-pool figures of a pull benchmark. Pure: samples in, figures out.
 */
import { BenchmarkRole } from './benchmark-labels';
import { PullSample } from './pull-events';

/** The figures of one pool, in seconds. */
export interface PoolPullFigures {
  readonly pool: string;
  readonly role: BenchmarkRole;
  readonly count: number;
  readonly median: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
  /** The baseline's median divided by this pool's median; undefined without a baseline. */
  readonly speedUp?: number;
}

/**
 * The p-th percentile (0–100) of sorted values, interpolated linearly between the two
 * nearest ranks (the method of spreadsheets' PERCENTILE.INC and numpy's default).
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/**
 * Figures per pool, SOCI pools first then the baseline, each group by name. The speed-up
 * compares medians, which one slow node cannot move much.
 */
export function summarizePulls(samples: readonly PullSample[]): PoolPullFigures[] {
  const byPool = new Map<string, PullSample[]>();
  for (const sample of samples) {
    const list = byPool.get(sample.pool);
    if (list) list.push(sample);
    else byPool.set(sample.pool, [sample]);
  }

  const baseline = samples.filter((s) => s.role === BenchmarkRole.BASELINE).map((s) => s.seconds).sort((a, b) => a - b);
  const baselineMedian = baseline.length > 0 ? percentile(baseline, 50) : undefined;

  return [...byPool.entries()]
    .map(([pool, poolSamples]) => {
      const sorted = poolSamples.map((s) => s.seconds).sort((a, b) => a - b);
      const median = percentile(sorted, 50);
      return {
        pool,
        role: poolSamples[0]!.role,
        count: sorted.length,
        median,
        p90: percentile(sorted, 90),
        min: sorted[0]!,
        max: sorted[sorted.length - 1]!,
        speedUp: baselineMedian !== undefined && median > 0 ? baselineMedian / median : undefined,
      };
    })
    .sort((a, b) => (a.role === b.role ? a.pool.localeCompare(b.pool) : a.role === BenchmarkRole.SOCI ? -1 : 1));
}

/** Seconds as people read pull times: `850ms`, `39.6s`, `2m10.8s`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${(seconds - minutes * 60).toFixed(1)}s`;
}
