import { UserDataRenderOptions } from '../bootstrap/node-bootstrap';
import { ConfigError } from '../errors';
import { clusterSectionPart } from './cluster-section';
import { renderMultipart } from './multipart';
import { checkNoKarpenterBoundary, UserDataPart } from './user-data-part';

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
  checkUserParts(where, 'partsBefore', options.partsBefore);
  checkUserParts(where, 'partsAfter', options.partsAfter);
  const parts = [
    ...(options.partsBefore ?? []),
    ...bootstrapParts,
    ...(options.partsAfter ?? []),
    ...(options.cluster ? [clusterSectionPart(where, options.cluster)] : []),
  ];
  return parts.length === 0 ? undefined : renderMultipart(parts);
}

/**
 * The user's parts must come from the {@link UserDataPart} factories, which
 * check them; a plain object (JavaScript callers, spreads) would skip those
 * checks, so it is refused, naming a boundary line in its body if it has one.
 */
function checkUserParts(where: string, field: string, parts: readonly UserDataPart[] | undefined): void {
  (parts ?? []).forEach((part, i) => {
    // The body first: a boundary line is the more dangerous fault, and the one to name.
    if (typeof part?.body === 'string') checkNoKarpenterBoundary(where, `${field}[${i}].body`, part.body);
    if (!(part instanceof UserDataPart)) {
      throw new ConfigError(where, `${field}[${i}]`, part, 'a UserDataPart made with UserDataPart.shellScript(), .nodeConfig() or .raw()');
    }
  });
}
