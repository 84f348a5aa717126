/**
 * Derives a Helm template of a bootstrap's user data in which the SOCI
 * concurrency counts are values. Nothing about the user-data format is
 * assumed: the bootstrap renders with every count set to a sentinel, with
 * none, and with each one left out, and the line differences between those
 * renders say which lines depend on tuning, which on one count, and what an
 * unset count leaves in its place. The result is then checked against the
 * bootstrap for every combination of counts.
 */
import { BootstrapStrategy, TUNING_COUNTS } from '../clusters/cluster-file';
import { escapeBraces } from './template-text';

export type TuningCount = (typeof TUNING_COUNTS)[number];
export type CountTuning = Partial<Record<TuningCount, number>>;

/**
 * Sentinels, one per count, chosen so that the totals stay at least the
 * per-image limits (SOCI's own rule) and so that they occur nowhere else.
 */
export const TUNING_SENTINELS: Readonly<Record<TuningCount, number>> = {
  maxConcurrentDownloads: 7310002,
  maxConcurrentDownloadsPerImage: 7310001,
  maxConcurrentUnpacks: 7310004,
  maxConcurrentUnpacksPerImage: 7310003,
};

/** How one line of the tuned user data depends on the counts. */
interface TemplateLine {
  readonly text: string;
  /** Present only with tuning (`tuned`), only without (`untuned`), or always. */
  readonly presence: 'always' | 'tuned' | 'untuned';
  /** The count whose sentinel this line holds. */
  readonly count?: TuningCount;
  /** For a count line: the text an unset count leaves in place of the sentinel, or undefined when the line goes away. */
  readonly unsetText?: string;
}

/** A user-data template: lines and how each depends on the counts. */
export class UserDataTemplate {
  public constructor(private readonly lines: readonly TemplateLine[]) {}

  /** What the template gives for a tuning, computed here (used to check the derivation against the bootstrap). */
  public evaluate(tuning: CountTuning): string {
    const tuned = Object.keys(tuning).length > 0;
    return this.lines.filter((line) => {
      if (line.presence === 'tuned' && !tuned) return false;
      if (line.presence === 'untuned' && tuned) return false;
      return !line.count || tuning[line.count] !== undefined || line.unsetText !== undefined;
    }).map((line) => {
      if (!line.count) return line.text;
      const value = tuning[line.count];
      return line.text.replace(String(TUNING_SENTINELS[line.count]), value !== undefined ? String(value) : line.unsetText!);
    }).join('\n');
  }

  /**
   * The Helm template lines (to be indented as a YAML block scalar). Conditions
   * open at the start of the first line they govern and close at the start of
   * the line after, so no newline is ever trimmed by `{{-`: the block renders
   * byte for byte. `tuning` is the template variable holding the tuning map.
   */
  public toHelm(tuning: string): string[] {
    const out: string[] = [];
    let closes = 0;
    let previousPresence: TemplateLine['presence'] = 'always';
    for (const line of this.lines) {
      let prefix = '';
      if (line.presence !== previousPresence && previousPresence !== 'always') {
        closes += 1;
      }
      prefix += '{{ end }}'.repeat(closes);
      closes = 0;
      if (line.presence !== previousPresence && line.presence !== 'always') {
        prefix += line.presence === 'tuned' ? `{{ if ${tuning} }}` : `{{ if not ${tuning} }}`;
      }
      previousPresence = line.presence;
      let text = escapeBraces(line.text);
      if (line.count) {
        const has = `hasKey ${tuning} ${JSON.stringify(line.count)}`;
        const value = `{{ int64 (get ${tuning} ${JSON.stringify(line.count)}) }}`;
        const sentinel = String(TUNING_SENTINELS[line.count]);
        if (line.unsetText === undefined) {
          prefix += `{{ if ${has} }}`;
          closes += 1;
          text = text.replace(sentinel, value);
        } else {
          text = text.replace(sentinel, `{{ if ${has} }}${value}{{ else }}${escapeBraces(line.unsetText)}{{ end }}`);
        }
      }
      out.push(prefix + text);
    }
    if (previousPresence !== 'always') closes += 1;
    if (closes > 0) out.push('{{ end }}'.repeat(closes));
    return out;
  }
}

/**
 * Derives the template of one strategy's user data.
 *
 * @param render the bootstrap's user data for a tuning (undefined: no tuning)
 */
export function deriveUserDataTemplate(strategy: BootstrapStrategy, renderUncached: (tuning: CountTuning | undefined) => string): UserDataTemplate {
  // The combination check renders some tunings again; each is rendered once.
  const renders = new Map<string, string>();
  const render = (tuning: CountTuning | undefined) => {
    const key = JSON.stringify(tuning && TUNING_COUNTS.map((count) => tuning[count] ?? null));
    if (!renders.has(key)) renders.set(key, renderUncached(tuning));
    return renders.get(key)!;
  };
  const all = render({ ...TUNING_SENTINELS });
  const none = render(undefined);
  const allLines = all.split('\n');
  const countOfLine = new Map<number, { count: TuningCount; unsetText?: string }>();
  for (const count of TUNING_COUNTS) {
    const sentinel = String(TUNING_SENTINELS[count]);
    if (all.split(sentinel).length !== 2) throw new Error(`${strategy}: the ${count} sentinel ${sentinel} must occur exactly once in the tuned user data`);
    const index = allLines.findIndex((line) => line.includes(sentinel));
    const without = render(withoutKey(TUNING_SENTINELS, count)).split('\n');
    countOfLine.set(index, { count, unsetText: unsetTextOf(strategy, count, allLines, without, index) });
  }

  const lines: TemplateLine[] = alignLines(none.split('\n'), allLines).map(({ text, presence, index }) => {
    const dependency = index === undefined ? undefined : countOfLine.get(index);
    return dependency ? { text, presence, count: dependency.count, unsetText: dependency.unsetText } : { text, presence };
  });
  const template = new UserDataTemplate(lines);
  checkEveryCombination(strategy, template, render);
  return template;
}

/** What an unset count leaves on its line, or undefined when the line is left out. */
function unsetTextOf(strategy: string, count: TuningCount, all: readonly string[], without: readonly string[], index: number): string | undefined {
  const sentinel = String(TUNING_SENTINELS[count]);
  const [before, after] = all[index].split(sentinel);
  if (without.length === all.length - 1 && without.every((line, i) => line === all[i < index ? i : i + 1])) return undefined;
  const sameElsewhere = without.length === all.length && without.every((line, i) => i === index || line === all[i]);
  const replaced = without[index];
  if (sameElsewhere && replaced !== undefined && replaced.startsWith(before) && replaced.endsWith(after) && replaced.length >= before.length + after.length) {
    return replaced.slice(before.length, replaced.length - after.length);
  }
  throw new Error(`${strategy}: leaving ${count} unset changes more than its own line; the user data cannot be templated line by line`);
}

/** Both renders merged in order (a longest common subsequence): lines of both, of the tuned only, of the untuned only. */
function alignLines(untuned: readonly string[], tuned: readonly string[]): Array<{ text: string; presence: TemplateLine['presence']; index?: number }> {
  const n = untuned.length;
  const m = tuned.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = untuned[i] === tuned[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const merged: Array<{ text: string; presence: TemplateLine['presence']; index?: number }> = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && untuned[i] === tuned[j]) {
      merged.push({ text: tuned[j], presence: 'always', index: j });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      merged.push({ text: tuned[j], presence: 'tuned', index: j });
      j++;
    } else {
      merged.push({ text: untuned[i], presence: 'untuned' });
      i++;
    }
  }
  return merged;
}

/** The template must give the bootstrap's own output for every subset of counts (16 renders). */
function checkEveryCombination(strategy: string, template: UserDataTemplate, render: (tuning: CountTuning | undefined) => string): void {
  for (let mask = 0; mask < 1 << TUNING_COUNTS.length; mask++) {
    const tuning: CountTuning = {};
    TUNING_COUNTS.forEach((count, bit) => {
      if (mask & (1 << bit)) tuning[count] = TUNING_SENTINELS[count];
    });
    const expected = render(mask === 0 ? undefined : tuning);
    if (template.evaluate(tuning) !== expected) {
      throw new Error(`${strategy}: the derived user-data template differs from the bootstrap for tuning ${JSON.stringify(tuning)}`);
    }
  }
}

function withoutKey<T extends object>(value: T, key: keyof T): Partial<T> {
  const { [key]: _removed, ...rest } = value;
  return rest as Partial<T>;
}
