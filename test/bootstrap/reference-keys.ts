/**
 * Checks parsed TOML against the upstream key lists committed in
 * test/fixtures/upstream: every SOCI config.toml key must exist in
 * soci-snapshotter v0.15.0, every Bottlerocket SOCI setting in the 1.44
 * settings model.
 */
import { bottlerocketSociSettings, sociConfigKeys } from '../fixtures/upstream';

type Table = Record<string, any>;

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Dotted paths of keys in a SOCI config.toml that soci-snapshotter v0.15.0 does not have. */
export function unknownSociKeys(config: Table): string[] {
  const reference = sociConfigKeys();
  const unknown: string[] = [];
  const walk = (table: Table, at: string) => {
    const dynamic = reference.dynamicTables[at];
    for (const [key, value] of Object.entries(table)) {
      const here = at === '' ? key : `${at}.${key}`;
      if (dynamic) {
        const known = !dynamic.recognizedKeys || dynamic.recognizedKeys.includes(key);
        const fieldsKnown = isTable(value) && Object.keys(value).every((field) => field in dynamic.valueKeys);
        if (!known || !fieldsKnown) unknown.push(here);
        continue;
      }
      const spec = reference.tables[at];
      if (spec?.keys?.[key]) {
        if (spec.keys[key].dynamic) walk(value as Table, spec.keys[key].dynamic);
      } else if (reference.tables[here] && isTable(value)) {
        walk(value, here);
      } else {
        unknown.push(here);
      }
    }
  };
  walk(config, '');
  return unknown;
}

/**
 * Dotted paths under Bottlerocket's SOCI tables (`settings.container-runtime`,
 * `settings.container-runtime-plugins`) that the settings model does not have,
 * or whose value is outside an enum's allowed values. Other settings are not
 * SOCI's and are not checked.
 */
export function unknownBottlerocketSociSettings(document: Table): string[] {
  const reference = bottlerocketSociSettings();
  const unknown: string[] = [];
  const walk = (table: Table, at: string) => {
    const spec = reference.tables[at];
    for (const [key, value] of Object.entries(table)) {
      const here = `${at}.${key}`;
      const keySpec = spec?.keys?.[key];
      if (keySpec && !keySpec.subtable) {
        if (keySpec.allowedValues && !keySpec.allowedValues.includes(value)) unknown.push(`${here}=${JSON.stringify(value)}`);
      } else if (reference.tables[here] && isTable(value)) {
        walk(value, here);
      } else if (spec) {
        unknown.push(here);
      }
    }
  };
  const settings = isTable(document.settings) ? document.settings : {};
  for (const root of ['container-runtime', 'container-runtime-plugins']) {
    if (isTable(settings[root])) walk(settings[root], `settings.${root}`);
  }
  return unknown;
}
