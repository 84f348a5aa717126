/**
 * A bar chart of a pull benchmark as a standalone SVG document: one row per pool, the bar is
 * the median, the thin line spans min to max, the tick marks p90. Pure and deterministic.
 */
import { BenchmarkRole } from './benchmark-labels';
import { formatSeconds, PoolPullFigures } from './pull-stats';

const WIDTH = 860;
const LABEL_WIDTH = 190;
const PLOT_WIDTH = 380;
const ROW_HEIGHT = 44;
const TOP = 56;
const BOTTOM = 44;
const COLORS: Record<BenchmarkRole, string> = { [BenchmarkRole.SOCI]: '#1f77b4', [BenchmarkRole.BASELINE]: '#8c8c8c' };

/** Renders the figures as SVG text. */
export function renderPullReportSvg(figures: readonly PoolPullFigures[], title = 'Image pull time per pool (median; line: min–max; tick: p90)'): string {
  const height = TOP + Math.max(figures.length, 1) * ROW_HEIGHT + BOTTOM;
  const axisMax = niceCeiling(Math.max(1, ...figures.map((f) => f.max)));
  const x = (seconds: number) => LABEL_WIDTH + (seconds / axisMax) * PLOT_WIDTH;
  const rows = figures.map((f, i) => row(f, TOP + i * ROW_HEIGHT, x));
  const ticks = axisTicks(axisMax).map((t) => {
    const tx = fixed(x(t));
    return `<line x1="${tx}" y1="${TOP - 6}" x2="${tx}" y2="${height - BOTTOM}" stroke="#e0e0e0"/>` +
      `<text x="${tx}" y="${height - BOTTOM + 18}" text-anchor="middle">${fixed(t)} s</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="28" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...ticks,
    ...(figures.length === 0 ? [`<text x="${WIDTH / 2}" y="${TOP + 24}" text-anchor="middle">no pull times</text>`] : rows),
    '</svg>',
    '',
  ].join('\n');
}

function row(f: PoolPullFigures, top: number, x: (s: number) => number): string {
  const mid = top + ROW_HEIGHT / 2;
  const speed = f.role === BenchmarkRole.SOCI && f.speedUp !== undefined ? `, ${f.speedUp.toFixed(2)}× faster` : '';
  return [
    `<g>`,
    `<text x="${LABEL_WIDTH - 10}" y="${fixed(mid - 3)}" text-anchor="end" font-weight="bold">${escapeXml(f.pool)}</text>`,
    `<text x="${LABEL_WIDTH - 10}" y="${fixed(mid + 12)}" text-anchor="end" fill="#555555">${f.role}, n=${f.count}</text>`,
    `<rect x="${LABEL_WIDTH}" y="${fixed(mid - 11)}" width="${fixed(x(f.median) - LABEL_WIDTH)}" height="22" fill="${COLORS[f.role]}"/>`,
    `<line x1="${fixed(x(f.min))}" y1="${fixed(mid)}" x2="${fixed(x(f.max))}" y2="${fixed(mid)}" stroke="#000000" stroke-width="1.5"/>`,
    `<line x1="${fixed(x(f.p90))}" y1="${fixed(mid - 8)}" x2="${fixed(x(f.p90))}" y2="${fixed(mid + 8)}" stroke="#000000" stroke-width="2"/>`,
    `<text x="${LABEL_WIDTH + PLOT_WIDTH + 12}" y="${fixed(mid + 4)}">${escapeXml(`${formatSeconds(f.median)} (p90 ${formatSeconds(f.p90)})${speed}`)}</text>`,
    `</g>`,
  ].join('');
}

/** The smallest of 1, 2, 5 × 10^n at or above the value, so the axis ends on a round number. */
function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((n) => n >= value)!;
}

function axisTicks(max: number): number[] {
  return [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
}

function fixed(n: number): string {
  return Number(n.toFixed(1)).toString();
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
