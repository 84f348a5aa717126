// Public API of the image-pull benchmark; parsing and rendering helpers are exported for reuse in reports.
export * from './benchmark-labels';
export * from './image-pull-benchmark';
export { collectPullSamples, parseGoDuration, parsePulledMessage } from './pull-events';
export type { PullSample, PullSamples, SkippedPod } from './pull-events';
export { percentile, summarizePulls, formatSeconds } from './pull-stats';
export type { PoolPullFigures } from './pull-stats';
export { renderPullReportSvg } from './pull-report-svg';
export { runPullReport } from './pull-report-cli';
