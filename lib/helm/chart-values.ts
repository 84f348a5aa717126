/**
 * The chart's values: the part of a cluster file that varies from cluster to
 * cluster. Their JSON Schema is cut from the cluster file's schema, so Helm
 * refuses what the loader refuses (types, enums, ranges, patterns), and a
 * cluster file's content is a values file once `name` becomes `clusterName`.
 */
import { AmiSelector } from '../constructs/ami-selector';
import { ConfigError } from '../errors';
import { bootstrapOf } from '../clusters/build-cluster';
import { ALLOWED_KEYWORD, BootstrapStrategy, ClusterSpec, clusterFileSchema, TUNING_COUNTS } from '../clusters/cluster-file';
import { formatPath, yamlKeys } from '../clusters/load-clusters';
import { precomputed } from '../precomputed';
import { CHART_VALUES_VALIDATOR, schemaValidator } from '../validation/schema-validator';
import { SchemaNode } from '../validation/schemas';

/** Node class fields the chart takes as values; every other field is what the constructs render by default. */
export const NODE_CLASS_VALUES = ['name', 'role', 'instanceProfile', 'discoveryTag', 'amiAlias', 'instanceStorePolicy', 'dataVolume', 'tags', 'bootstrap'] as const;

/** NodePool fields the chart takes as values. */
export const NODE_POOL_VALUES = ['name', 'nodeClass', 'requirements', 'taints', 'limits', 'weight', 'expireAfter', 'disruption'] as const;

/** The strategies the chart renders, and the AMI alias family each needs. */
export const CHART_STRATEGIES: Readonly<Partial<Record<BootstrapStrategy, string>>> = {
  native: 'al2023',
  manualInstall: 'al2023',
  bottlerocket: 'bottlerocket',
};

/** The alias a node class gets without `amiAlias`, as the constructs default it. */
export const DEFAULT_AMI_ALIAS: string = AmiSelector.AL2023_LATEST[0].alias!;

/** The chart's values: a cluster file with `clusterName` for `name`. */
export interface ChartValues {
  readonly clusterName: string;
  readonly nodeClasses: readonly Record<string, unknown>[];
  readonly nodePools: readonly Record<string, unknown>[];
}

function pick(schema: SchemaNode, keys: readonly string[]): Record<string, SchemaNode> {
  const properties = schema.properties as Record<string, SchemaNode>;
  return Object.fromEntries(keys.map((key) => [key, properties[key]]));
}

function items(arraySchema: unknown): SchemaNode {
  return (arraySchema as { items: SchemaNode }).items;
}

let cachedSchema: SchemaNode | undefined;

/** `values.schema.json`: the cluster schema restricted to what the chart templates (embedded in the app bundle). */
export function chartValuesSchema(): SchemaNode {
  cachedSchema ??= precomputed('chartValuesSchema', buildChartValuesSchema);
  return cachedSchema;
}

function buildChartValuesSchema(): SchemaNode {
  const cluster = clusterFileSchema();
  const top = cluster.properties as Record<string, SchemaNode>;
  const nodeClass = items(top.nodeClasses);
  const nodePool = items(top.nodePools);
  const bootstrap = (nodeClass.properties as Record<string, SchemaNode>).bootstrap;
  const tuning = (bootstrap.properties as Record<string, SchemaNode>).tuning;
  const strategies = Object.keys(CHART_STRATEGIES);

  const chartBootstrap: SchemaNode = {
    type: 'object',
    description: `${bootstrap.description as string} The chart renders ${strategies.join(', ')}, with the four concurrency counts as tuning.`,
    required: ['strategy'],
    additionalProperties: false,
    properties: {
      strategy: { enum: strategies, description: 'native (AL2023 v20250821+), manualInstall (any AL2023 with nodeadm) or bottlerocket (1.44.0+, needs a bottlerocket amiAlias).' },
      tuning: { ...tuning, properties: pick(tuning, TUNING_COUNTS) },
    },
  };
  const aliasRules = Object.entries(CHART_STRATEGIES).map(([strategy, family]) => ({
    if: { properties: { bootstrap: { properties: { strategy: { const: strategy } } } } },
    then: family === DEFAULT_AMI_ALIAS.split('@')[0]
      ? { properties: { amiAlias: { pattern: `^${family}@` } } }
      : { required: ['amiAlias'], properties: { amiAlias: { pattern: `^${family}@` } } },
  }));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'karpenter-soci chart values',
    description: 'One cluster\'s node classes and pools; the same fields as a cluster file (clusters/<name>.yaml), with clusterName for name.',
    type: 'object',
    required: ['clusterName', 'nodeClasses', 'nodePools'],
    additionalProperties: false,
    properties: {
      clusterName: { ...top.name, description: 'Cluster name: the default role is KarpenterNodeRole-<clusterName> and the default discovery tag <clusterName>.' },
      nodeClasses: {
        ...top.nodeClasses,
        items: {
          ...nodeClass,
          required: ['name', 'bootstrap'],
          properties: { ...pick(nodeClass, NODE_CLASS_VALUES), bootstrap: chartBootstrap },
          allOf: [...(nodeClass.allOf as SchemaNode[]).filter((rule) => JSON.stringify(rule).includes('instanceProfile')), ...aliasRules, ...unboundedRules()],
        },
      },
      nodePools: { ...top.nodePools, items: { ...nodePool, properties: pick(nodePool, NODE_POOL_VALUES) } },
    },
  };
}

/**
 * Counts a strategy refuses as -1 (Bottlerocket's per-image limits), found by asking its builder,
 * so the values schema says what the builder says.
 */
function unboundedRules(): SchemaNode[] {
  const rules: SchemaNode[] = [];
  for (const strategy of Object.keys(CHART_STRATEGIES) as BootstrapStrategy[]) {
    const bounded = TUNING_COUNTS.filter((count) => {
      try {
        bootstrapOf({ strategy, tuning: { [count]: -1 } });
        return false;
      } catch (err) {
        if (err instanceof ConfigError) return true;
        throw err;
      }
    });
    if (bounded.length === 0) continue;
    const positive = { minimum: 1, [ALLOWED_KEYWORD]: `a positive whole number (${strategy} takes no -1 here)` };
    rules.push({
      if: { properties: { bootstrap: { properties: { strategy: { const: strategy } } } } },
      then: { properties: { bootstrap: { properties: { tuning: { properties: Object.fromEntries(bounded.map((count) => [count, positive])) } } } } },
    });
  }
  return rules;
}

/**
 * A cluster's chart values. Throws {@link ConfigError} naming the first field
 * the chart does not template (such a cluster is served by its plain `dist/<name>/` folder).
 */
export function clusterValues(spec: ClusterSpec): ChartValues {
  if (spec.imagePullBenchmark) {
    throw new ConfigError(spec.file, 'imagePullBenchmark', spec.imagePullBenchmark.image,
      `the Helm chart does not template the image-pull benchmark; the cluster's plain dist/${spec.name}/ folder serves it`);
  }
  const values: ChartValues = { clusterName: spec.name, nodeClasses: spec.nodeClasses as never, nodePools: spec.nodePools as never };
  const validator = schemaValidator(CHART_VALUES_VALIDATOR, chartValuesSchema);
  if (!validator(values)) {
    const error = validator.errors!.find((e) => e.keyword !== 'if') ?? validator.errors![0];
    const keys = yamlKeys(error.instancePath);
    let value = error.data;
    let why = `the chart needs ${String((error.parentSchema as Record<string, unknown> | undefined)?.[ALLOWED_KEYWORD] ?? error.message)}`;
    if (error.keyword === 'additionalProperties') {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      keys.push(key);
      value = (error.data as Record<string, unknown>)[key];
      why = 'the Helm chart does not template this field';
    }
    throw new ConfigError(spec.file, formatPath(keys), value, `${why}; the cluster's plain dist/${spec.name}/ folder serves it`);
  }
  return values;
}

/** One row of the chart README's values table. */
export interface ValuesRow {
  readonly path: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

/** The values table, walked from the values schema and the default values (the first entry of each list). */
export function valuesRows(defaults: ChartValues): ValuesRow[] {
  const rows: ValuesRow[] = [];
  const walk = (schema: SchemaNode, path: string, value: unknown) => {
    const properties = schema.properties as Record<string, SchemaNode> | undefined;
    // The lists of node classes and pools are values.yaml itself; their fields' rows show the defaults.
    const shown = value === undefined || path === 'nodeClasses' || path === 'nodePools' || path.endsWith('[]') ? '' : JSON.stringify(value);
    if (path !== '') rows.push({ path, type: typeOf(schema), default: shown, description: oneLine(schema.description) });
    if (schema.type === 'object' && properties) {
      for (const [key, sub] of Object.entries(properties)) walk(sub, path ? `${path}.${key}` : key, (value as Record<string, unknown> | undefined)?.[key]);
    } else if (path === 'nodeClasses' || path === 'nodePools') {
      // The chart's own lists are described field by field; Karpenter's (requirements, taints...) as one row each.
      walk(schema.items as SchemaNode, `${path}[]`, Array.isArray(value) ? value[0] : undefined);
    }
  };
  walk(chartValuesSchema(), '', defaults);
  return rows;
}

function typeOf(schema: SchemaNode): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (typeof schema.type === 'string') return schema.type === 'array' ? 'list' : schema.type === 'object' ? 'map' : schema.type;
  if (Array.isArray(schema.anyOf)) return 'number or string';
  return 'any';
}

function oneLine(text: unknown): string {
  if (typeof text !== 'string') return '';
  return text.split(/\n\n/)[0].replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
}
