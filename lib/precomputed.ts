/**
 * Results of this package's code alone, with no input, that `npm run build` computes once
 * and embeds in the app bundle build/app.js (scripts/bundle-app.mjs). The bundle and what
 * it embeds come out of the same build, from the same compiled modules, so they cannot
 * disagree, and the build stamp keeps a stale bundle from running at all. Everywhere else
 * (main.ts through tsx, the compiled library, the validation plugin) nothing is embedded,
 * and each result is computed, or read from build/ with its own checks, when first needed.
 */
import type { ChartVariant } from './helm/helm-chart';
import type { ParseTrees } from './validation/cel-rules';
import type { StandaloneModule } from './validation/schema-validator';
import type { SchemaNode } from './validation/schemas';

/** What the app bundle can embed; each entry loads on first use. */
export interface PrecomputedResults {
  /** `renderClusterFileSchema()`: the cluster files' JSON Schema as written to clusters/cluster.schema.json. */
  readonly clusterFileSchema: string;
  /** The Helm chart's node class and pool of each bootstrap strategy, synthesized with sentinels. */
  readonly chartVariants: readonly ChartVariant[];
  /** `chartValuesSchema()`: the Helm chart's values.schema.json, built from the cluster file schema. */
  readonly chartValuesSchema: SchemaNode;
  /** The standalone ajv validators of every schema (scripts/precompile-validators.mjs). */
  readonly standaloneValidators: StandaloneModule;
  /** The CRDs' CEL rules, parsed (scripts/precompile-validators.mjs). */
  readonly celParseTrees: ParseTrees;
}

/** Every key of {@link PrecomputedResults}: scripts/bundle-app.mjs embeds exactly these, or fails. */
export const PRECOMPUTED_KEYS = Object.keys({
  clusterFileSchema: true,
  chartVariants: true,
  chartValuesSchema: true,
  standaloneValidators: true,
  celParseTrees: true,
} satisfies Record<keyof PrecomputedResults, true>) as ReadonlyArray<keyof PrecomputedResults>;

export type PrecomputedLoaders = { readonly [K in keyof PrecomputedResults]?: () => PrecomputedResults[K] };

let loaders: PrecomputedLoaders = {};

/** Called once by the app bundle's entry point, before anything else runs; replaces what was embedded before. */
export function embedPrecomputed(embedded: PrecomputedLoaders): void {
  loaders = embedded;
}

/** The embedded result, or undefined outside the app bundle. */
export function embeddedResult<K extends keyof PrecomputedResults>(key: K): PrecomputedResults[K] | undefined {
  const load = loaders[key] as (() => PrecomputedResults[K]) | undefined;
  return load?.();
}

/** The embedded result, else `compute()`. */
export function precomputed<K extends keyof PrecomputedResults>(key: K, compute: () => PrecomputedResults[K]): PrecomputedResults[K] {
  return embeddedResult(key) ?? compute();
}
