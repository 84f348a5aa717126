import * as fs from 'node:fs';
import { parse } from 'yaml';
import type { KarpenterSociValidationProperties } from '../validation/plugin';

/** The class name cdk8s.yaml's `validations:` entry gives for this project's plugin. */
const PLUGIN_CLASS = 'KarpenterSociValidation';

/**
 * The `properties:` of this project's validation plugin in cdk8s.yaml, so that
 * the app's own check, run by `cdk8s synth` before it replaces `dist/`, checks
 * exactly what the plugin will check afterwards. Empty when the file, the entry
 * or its properties are missing, or when `validations:` points at another file.
 */
export function cdk8sPluginProperties(file = 'cdk8s.yaml'): KarpenterSociValidationProperties {
  if (!fs.existsSync(file)) return {};
  const validations = (parse(fs.readFileSync(file, 'utf8')) as { validations?: unknown } | null)?.validations;
  if (!Array.isArray(validations)) return {};
  const entry = validations.find((v): v is { properties?: KarpenterSociValidationProperties } => v?.class === PLUGIN_CLASS);
  return entry?.properties ?? {};
}
