import { NodePoolSpecTemplateSpecRequirements } from '../../imports/karpenter.sh';
import { ConfigError } from '../errors';
import { composeAl2023UserData } from '../userdata/compose';
import { TomlTable } from '../userdata/toml';
import { UserDataPart } from '../userdata/user-data-part';
import { mergeBottlerocketSettings } from './bottlerocket-settings';
import { AmiAliasFamily, INodeBootstrap, UserDataRenderOptions } from './node-bootstrap';

/** What a bootstrap contributes, decided once when it is built. */
export type BootstrapContent =
  | { readonly kind: 'al2023'; readonly parts: readonly UserDataPart[] }
  | { readonly kind: 'bottlerocket'; readonly settings: TomlTable }
  | { readonly kind: 'none' };

/**
 * An {@link INodeBootstrap} whose content was fixed at construction: rendering
 * only places it among the user's parts, so it can be called any number of
 * times with the same result.
 */
export class RenderedBootstrap implements INodeBootstrap {
  public constructor(
    public readonly name: string,
    public readonly amiFamilies: readonly AmiAliasFamily[],
    public readonly nodeRequirements: readonly NodePoolSpecTemplateSpecRequirements[],
    /** The bootstrap's own parts or settings, before the user's are added. */
    public readonly content: BootstrapContent,
    public readonly minimumAmiVersion?: string,
  ) {}

  /** The bootstrap's own AL2023 parts (empty for Bottlerocket and AMI-default bootstraps). */
  public get parts(): readonly UserDataPart[] {
    return this.content.kind === 'al2023' ? this.content.parts : [];
  }

  public renderUserData(options: UserDataRenderOptions = {}): string | undefined {
    switch (this.content.kind) {
      case 'al2023':
        return composeAl2023UserData(this.name, this.content.parts, options);
      case 'bottlerocket':
        rejectAl2023Options(this.name, options);
        return mergeBottlerocketSettings(this.name, this.content.settings, options.bottlerocketSettings);
      case 'none':
        return renderAmiDefault(this.name, options);
    }
  }
}

/** Nothing of the bootstrap's own: the user's Bottlerocket settings, or the user's AL2023 parts, or nothing. */
function renderAmiDefault(name: string, options: UserDataRenderOptions): string | undefined {
  if (options.bottlerocketSettings === undefined) return composeAl2023UserData(name, [], options);
  rejectAl2023Options(name, options);
  return mergeBottlerocketSettings(name, {}, options.bottlerocketSettings);
}

function rejectAl2023Options(name: string, options: UserDataRenderOptions): void {
  const given = (['partsBefore', 'partsAfter', 'cluster'] as const).filter((key) => {
    const value = options[key];
    return Array.isArray(value) ? value.length > 0 : value !== undefined;
  });
  if (given.length > 0) {
    const key = given[0];
    throw new ConfigError(name, key, options[key], 'MIME parts and the NodeConfig cluster section apply to AL2023 only; Bottlerocket user data is settings TOML (use bottlerocketSettings)');
  }
}
