import { UserDataRenderOptions } from '../bootstrap/node-bootstrap';
import { ConfigError } from '../errors';
import { clusterSectionPart } from './cluster-section';
import { renderMultipart } from './multipart';
import { UserDataPart } from './user-data-part';

/**
 * The full AL2023 user data: the user's `partsBefore`, the bootstrap's parts,
 * the user's `partsAfter`, then the cluster section when one is given (last,
 * where Karpenter places its own NodeConfig). Undefined when there are no parts.
 *
 * @param where the bootstrap's name, for error messages
 */
export function composeAl2023UserData(
  where: string,
  bootstrapParts: readonly UserDataPart[],
  options: UserDataRenderOptions = {},
): string | undefined {
  if (options.bottlerocketSettings !== undefined) {
    throw new ConfigError(where, 'bottlerocketSettings', options.bottlerocketSettings, 'Bottlerocket settings apply to SociBootstrap.bottlerocket() only; use partsBefore/partsAfter on AL2023');
  }
  const parts = [
    ...(options.partsBefore ?? []),
    ...bootstrapParts,
    ...(options.partsAfter ?? []),
    ...(options.cluster ? [clusterSectionPart(where, options.cluster)] : []),
  ];
  return parts.length === 0 ? undefined : renderMultipart(parts);
}
