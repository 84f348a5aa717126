/**
 * Findings of acknowledgeable guards: an error, unless the object lists the
 * guard in its acknowledgement annotation, in which case the finding stays
 * visible as a warning but no longer fails the synth.
 */
import { acknowledgementHint, ACKNOWLEDGE_ANNOTATION, SociGuard } from './acknowledgements';
import { Finding, finding, ObjectRef } from './finding';
import { acknowledgedGuards, Json } from './manifest-kinds';

export interface GuardTarget {
  readonly ref: ObjectRef;
  /** The object whose annotation may acknowledge the guard. */
  readonly manifest: Json;
}

export function guardFinding(target: GuardTarget, guard: SociGuard, jsonPath: string, value: unknown, why: string): Finding {
  if (acknowledgedGuards(target.manifest, ACKNOWLEDGE_ANNOTATION).has(guard)) {
    return finding(target.ref, 'warning', guard, jsonPath, value, `${why} (acknowledged in ${ACKNOWLEDGE_ANNOTATION})`);
  }
  return finding(target.ref, 'error', guard, jsonPath, value, `${why} ${acknowledgementHint(guard)}`);
}

/** A JSON path into the user data: `/spec/userData[part 2]/spec/containerd/config`. */
export function userDataPath(partIndex?: number, inner = ''): string {
  return partIndex === undefined ? '/spec/userData' : `/spec/userData[part ${partIndex + 1}]${inner}`;
}
