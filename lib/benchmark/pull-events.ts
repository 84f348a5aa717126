/**
 * Reads image-pull durations out of the kubelet's `Pulled` events of benchmark pods.
 * Pure: Kubernetes objects in (as `kubectl get -o json` prints them), samples out.
 */
import { BENCHMARK_APP, BenchmarkLabels, BenchmarkRole } from './benchmark-labels';

/** One benchmark pod's pull. */
export interface PullSample {
  readonly pod: string;
  readonly pool: string;
  readonly role: BenchmarkRole;
  /** The pull itself, as the kubelet measured it. */
  readonly seconds: number;
  /** The pull including the time it waited for the kubelet's pull queue, where the kubelet reports it. */
  readonly includingWaitingSeconds?: number;
}

/** A benchmark pod that gave no usable pull time, and why. */
export interface SkippedPod {
  readonly pod: string;
  readonly reason: string;
}

/** What {@link collectPullSamples} found. */
export interface PullSamples {
  readonly samples: readonly PullSample[];
  readonly skipped: readonly SkippedPod[];
}

/**
 * The kubelet's message on a completed pull. It has said, by version:
 * `Successfully pulled image "x" in 1.5s` (before 1.28),
 * `Successfully pulled image "x" in 1.5s (2.1s including waiting)` (1.28, 1.29) and
 * the same followed by `. Image size: 123 bytes.` (1.30 and later).
 */
const PULLED = /^Successfully pulled image "[^"]*" in ([0-9.]+[a-zµ]+(?:[0-9.]+[a-zµ]+)*)(?: \(([0-9.]+[a-zµ]+(?:[0-9.]+[a-zµ]+)*) including waiting\))?(?:\. Image size: [0-9]+ bytes\.)?$/;
/** `Pulled` also reports a pull that did not happen. */
const ALREADY_PRESENT = /^Container image "[^"]*" already present on machine/;

const GO_DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * Parses a Go `time.Duration` string (`1.5s`, `2m10.8s`, `350ms`, `1h0m2s`) into seconds.
 * @returns undefined when it is not one
 */
export function parseGoDuration(text: string): number | undefined {
  const parts = text.match(/[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h)/g);
  if (!parts || parts.join('') !== text) return undefined;
  return parts.reduce((total, part) => {
    const [, value, unit] = /^([0-9.]+)(.+)$/.exec(part)!;
    return total + Number(value) * GO_DURATION_UNITS[unit!]!;
  }, 0);
}

/** A pull time from one `Pulled` event message, or why there is none. */
export function parsePulledMessage(message: string): { seconds: number; includingWaitingSeconds?: number } | { reason: string } {
  if (ALREADY_PRESENT.test(message)) return { reason: 'image already present on the node (no pull happened)' };
  const match = PULLED.exec(message);
  const seconds = match ? parseGoDuration(match[1]!) : undefined;
  if (!match || seconds === undefined) return { reason: `unrecognised Pulled message: ${JSON.stringify(shorten(message))}` };
  const waiting = match[2] === undefined ? undefined : parseGoDuration(match[2]);
  return waiting === undefined ? { seconds } : { seconds, includingWaitingSeconds: waiting };
}

interface KubeObject {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly uid?: string; readonly labels?: Record<string, string> };
  readonly involvedObject?: { readonly kind?: string; readonly name?: string; readonly namespace?: string; readonly uid?: string; readonly fieldPath?: string };
  readonly reason?: string;
  readonly message?: string;
  readonly lastTimestamp?: string;
  readonly eventTime?: string;
}

/**
 * Pairs each benchmark pod with its `Pulled` event. A pod without one (the event expired, or
 * the pull never finished), with an event for an image that was already present, or with a
 * message in no known format is skipped and counted, never guessed.
 *
 * @param objects Pods and Events, in any order; other kinds are ignored
 */
export function collectPullSamples(objects: readonly unknown[]): PullSamples {
  const items = objects.filter(isObject) as KubeObject[];
  const pulled = new Map<string, KubeObject[]>();
  for (const event of items.filter((o) => o.kind === 'Event' && o.reason === 'Pulled' && o.involvedObject?.kind === 'Pod')) {
    const key = podKey(event.involvedObject!.namespace, event.involvedObject!.name);
    const list = pulled.get(key);
    if (list) list.push(event);
    else pulled.set(key, [event]);
  }

  const samples: PullSample[] = [];
  const skipped: SkippedPod[] = [];
  for (const pod of items.filter(isBenchmarkPod).sort(byName)) {
    const name = pod.metadata!.name!;
    const labels = pod.metadata!.labels!;
    const role = labels[BenchmarkLabels.ROLE];
    const pool = labels[BenchmarkLabels.POOL];
    if (!pool || (role !== BenchmarkRole.SOCI && role !== BenchmarkRole.BASELINE)) {
      skipped.push({ pod: name, reason: `labels ${BenchmarkLabels.POOL} and ${BenchmarkLabels.ROLE} (soci or baseline) missing` });
      continue;
    }
    const events = (pulled.get(podKey(pod.metadata!.namespace, name)) ?? [])
      .filter((e) => !pod.metadata!.uid || !e.involvedObject!.uid || e.involvedObject!.uid === pod.metadata!.uid);
    const event = latest(events);
    if (!event) {
      skipped.push({ pod: name, reason: 'no Pulled event (expired, or the pull has not finished)' });
      continue;
    }
    const parsed = parsePulledMessage(typeof event.message === 'string' ? event.message : '');
    if ('reason' in parsed) skipped.push({ pod: name, reason: parsed.reason });
    else samples.push({ pod: name, pool, role, ...parsed });
  }
  return { samples, skipped };
}

/** Long messages keep their start and end, where the image and the duration are. */
function shorten(message: string): string {
  return message.length <= 80 ? message : `${message.slice(0, 38)}…${message.slice(-38)} (${message.length} characters)`;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isBenchmarkPod(o: KubeObject): boolean {
  return o.kind === 'Pod' && typeof o.metadata?.name === 'string' && o.metadata.labels?.[BenchmarkLabels.APP] === BENCHMARK_APP;
}

function podKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

function byName(a: KubeObject, b: KubeObject): number {
  return a.metadata!.name!.localeCompare(b.metadata!.name!);
}

/** The pod's own container pulls once; should there be several events, the newest one counts. */
function latest(events: readonly KubeObject[]): KubeObject | undefined {
  const time = (e: KubeObject) => e.lastTimestamp ?? e.eventTime ?? '';
  return [...events].sort((a, b) => time(a).localeCompare(time(b))).pop();
}
