import { ApiObjectMetadata } from 'cdk8s';
import { ACKNOWLEDGE_ANNOTATION, SociGuard } from '../validation/acknowledgements';

/**
 * The object's metadata: the user's, with the resolved name and the
 * acknowledged guards recorded in {@link ACKNOWLEDGE_ANNOTATION} (sorted, once each).
 */
export function objectMetadata(name: string, metadata: ApiObjectMetadata | undefined, acknowledge: readonly SociGuard[] | undefined): ApiObjectMetadata {
  const guards = [...new Set(acknowledge ?? [])].sort();
  return {
    ...metadata,
    name,
    annotations: { ...metadata?.annotations, ...(guards.length > 0 ? { [ACKNOWLEDGE_ANNOTATION]: guards.join(',') } : {}) },
  };
}
