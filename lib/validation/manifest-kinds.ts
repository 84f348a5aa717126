/**
 * Recognises the objects the validator knows about. Anything else in the
 * synthesized output passes through untouched.
 */
import { ObjectRef } from './finding';

export const NODE_POOL = { apiVersion: 'karpenter.sh/v1', kind: 'NodePool' } as const;
export const EC2_NODE_CLASS = { apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass' } as const;

/** A parsed manifest: a plain JSON object. */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNodePool(manifest: unknown): manifest is Json {
  return isObject(manifest) && manifest.apiVersion === NODE_POOL.apiVersion && manifest.kind === NODE_POOL.kind;
}

export function isEc2NodeClass(manifest: unknown): manifest is Json {
  return isObject(manifest) && manifest.apiVersion === EC2_NODE_CLASS.apiVersion && manifest.kind === EC2_NODE_CLASS.kind;
}

/** `metadata.name`, or `(unnamed)` so messages stay readable for broken objects. */
export function nameOf(manifest: Json): string {
  const metadata = manifest.metadata;
  return isObject(metadata) && typeof metadata.name === 'string' ? metadata.name : '(unnamed)';
}

export function refOf(manifest: Json, source: string): ObjectRef {
  return { source, kind: typeof manifest.kind === 'string' ? manifest.kind : '(no kind)', name: nameOf(manifest) };
}

/** Reads a nested value by property names; undefined as soon as a step is missing. */
export function at(value: unknown, ...path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[key];
    } else {
      if (!isObject(current)) return undefined;
      current = current[key];
    }
  }
  return current;
}

/** The guard ids listed in the object's acknowledgement annotation. */
export function acknowledgedGuards(manifest: Json, annotation: string): ReadonlySet<string> {
  const raw = at(manifest, 'metadata', 'annotations', annotation);
  if (typeof raw !== 'string') return new Set();
  return new Set(raw.split(',').map((id) => id.trim()).filter((id) => id !== ''));
}
