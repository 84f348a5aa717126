import { parse } from '@bufbuild/cel';
import { loadClusters } from '../lib/clusters';
import { chartValuesSchema, renderHelmChart } from '../lib/helm';
import { chartVariants } from '../lib/helm/helm-chart';
import { embedPrecomputed, precomputed } from '../lib/precomputed';
import { serializeParseTree } from '../lib/validation/cel-rules';
import { CLUSTERS_DIR, DEFAULT_CLUSTER } from '../main';

type PrecomputedModule = typeof import('../lib/precomputed');
type SchemaValidatorModule = typeof import('../lib/validation/schema-validator');
type CelRulesModule = typeof import('../lib/validation/cel-rules');
type HelmModule = typeof import('../lib/helm');

afterEach(() => embedPrecomputed({}));

/** Fresh module instances (nothing embedded, nothing cached), as a new process has them. */
function freshModules(): { precomputed: PrecomputedModule; schemaValidator: SchemaValidatorModule; celRules: CelRulesModule; helm: HelmModule } {
  let modules: ReturnType<typeof freshModules> | undefined;
  jest.isolateModules(() => {
    modules = {
      precomputed: require('../lib/precomputed'),
      schemaValidator: require('../lib/validation/schema-validator'),
      celRules: require('../lib/validation/cel-rules'),
      helm: require('../lib/helm'),
    };
  });
  return modules!;
}

describe('precomputed', () => {
  test('GIVEN nothing embedded (sources, the compiled library) WHEN a result is asked for THEN it is computed', () => {
    const compute = jest.fn(() => 'computed schema');
    expect(precomputed('clusterFileSchema', compute)).toBe('computed schema');
    expect(compute).toHaveBeenCalledTimes(1);
  });

  test('GIVEN a result embedded by the app bundle WHEN it is asked for THEN it is loaded and nothing is computed', () => {
    embedPrecomputed({ clusterFileSchema: () => 'embedded schema' });
    const compute = jest.fn(() => 'computed schema');
    expect(precomputed('clusterFileSchema', compute)).toBe('embedded schema');
    expect(compute).not.toHaveBeenCalled();
  });

  test('GIVEN the chart variants and values schema as the bundle embeds them (written as JSON) WHEN the chart is rendered THEN every file is byte-identical to a chart from results computed now', () => {
    // GIVEN the project's clusters, and the chart rendered from freshly synthesized variants
    const clusters = loadClusters(CLUSTERS_DIR);
    const options = { version: '1.2.3', defaults: clusters.find((c) => c.name === DEFAULT_CLUSTER)!, clusters, onUnsupported: () => undefined };
    const synthesizedNow = renderHelmChart(options);

    // WHEN both are embedded as scripts/bundle-app.mjs embeds them, in a fresh process, and the chart rendered again
    const asEmbedded = <T>(value: T): T => JSON.parse(JSON.stringify(value));
    const variants = jest.fn(() => asEmbedded(chartVariants()));
    const valuesSchema = jest.fn(() => asEmbedded(chartValuesSchema()));
    const { precomputed: fresh, helm } = freshModules();
    fresh.embedPrecomputed({ chartVariants: variants, chartValuesSchema: valuesSchema });
    const fromEmbedded = helm.renderHelmChart(options);

    // THEN the embedded results were used, and the chart is the same, file for file
    expect(variants).toHaveBeenCalled();
    expect(valuesSchema).toHaveBeenCalled();
    expect([...fromEmbedded.keys()]).toEqual([...synthesizedNow.keys()]);
    for (const [file, text] of synthesizedNow) expect({ file, text: fromEmbedded.get(file) }).toEqual({ file, text });
  });

  test('GIVEN standalone validators embedded in the bundle WHEN a validator is asked for THEN the embedded one is used, without building its schema for a hash', () => {
    // GIVEN a process whose bundle embeds a validator for "Probe", with no hash recorded
    const { precomputed: fresh, schemaValidator } = freshModules();
    const embeddedValidator = Object.assign(() => true, { errors: null });
    fresh.embedPrecomputed({ standaloneValidators: () => ({ schemaHashes: {}, Probe: embeddedValidator }) });
    const schema = jest.fn(() => ({ type: 'string' }));

    // WHEN its validator is asked for THEN it is the embedded one, and the schema was never built
    expect(schemaValidator.schemaValidator('Probe', schema)).toBe(embeddedValidator);
    expect(schema).not.toHaveBeenCalled();
    // AND a schema the bundle does not hold is compiled from its schema, as before
    const other = schemaValidator.schemaValidator('NotEmbedded', () => ({ type: 'string' }));
    expect([other('text'), other(7)]).toEqual([true, false]);
  });

  test('GIVEN CEL parse trees embedded in the bundle WHEN a rule is evaluated THEN its embedded tree is what runs', () => {
    // GIVEN a process whose bundle embeds, for the rule "self.a == 1", the tree of "false"
    const { precomputed: fresh, celRules } = freshModules();
    fresh.embedPrecomputed({ celParseTrees: () => ({ celVersion: 'bundled', trees: { 'self.a == 1': serializeParseTree(parse('false'))! } }) });
    const schema = { 'type': 'object', 'x-kubernetes-validations': [{ rule: 'self.a == 1', message: 'a must be 1' }] };

    // WHEN an object that satisfies the rule's text is evaluated
    const result = celRules.evaluateCelRules(schema, { a: 1 });

    // THEN the embedded tree decided (through the fast path, which reads trees of any version)
    expect(result.violations.map((v) => v.message)).toEqual(['a must be 1']);
  });

  test.each([
    ['the installed library', true, ['a must be 1']],
    ['another version of the library', false, []],
  ])('GIVEN embedded parse trees made by %s WHEN the library must decide a rule THEN it plans the embedded tree only then, else parses the rule', (_, sameVersion, messages) => {
    // GIVEN for "self.a == 1" the embedded tree of "int('+1') == 2": false, and a spelling the fast path leaves to the library
    const { precomputed: fresh, celRules } = freshModules();
    const celVersion = sameVersion ? celRules.celVersion() : '0.0.0-other';
    fresh.embedPrecomputed({ celParseTrees: () => ({ celVersion, trees: { 'self.a == 1': serializeParseTree(parse("int('+1') == 2"))! } }) });
    const schema = { 'type': 'object', 'x-kubernetes-validations': [{ rule: 'self.a == 1', message: 'a must be 1' }] };

    // WHEN an object that satisfies the rule's text is evaluated
    const result = celRules.evaluateCelRules(schema, { a: 1 });

    // THEN the embedded tree decided (false) only when the installed library made it; else the rule's text did (true)
    expect(result.violations.map((v) => v.message)).toEqual(messages);
  });
});
