import { ACKNOWLEDGE_ANNOTATION, SociGuard } from '../validation/acknowledgements';

/** The annotation that records acknowledged guards, or nothing when there are none. */
export function acknowledgementAnnotations(guards: readonly SociGuard[] | undefined): Record<string, string> {
  if (!guards || guards.length === 0) return {};
  return { [ACKNOWLEDGE_ANNOTATION]: [...new Set(guards)].sort().join(',') };
}
