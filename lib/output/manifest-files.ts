import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ConfigError } from '../errors';
import { cliManifestFile } from '../validation/clusters';
import { withinSynthesisPass } from '../validation/synthesis-pass';
import { manifestYaml } from './manifest-yaml';
import { GENERATED_HEADER, OUTPUT_MARKER, OUTPUT_MARKER_CONTENT } from './output-folder';

/** The manifests of one chart (one cluster), in dependency order. */
export interface ChartManifests {
  /** The chart id, which names its folder under `dist/`. */
  readonly chartId: string;
  /**
   * The chart's construct path (`team-a/prod`).
   * @default - the chart id
   */
  readonly path?: string;
  readonly manifests: readonly KubeObject[];
  /**
   * The construct path of each object, keyed by {@link objectKey}: the L2 construct, not its `Resource` child.
   * @default - none: messages name the chart instead
   */
  readonly sources?: ReadonlyMap<string, string>;
}

/** The fields of a synthesized object the writer needs. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly [key: string]: unknown;
}

/** An object's key within its chart: kind and name. */
export function objectKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/**
 * A chart id names a folder and a `<chart>.k8s.yaml` file: letters, digits, `-` and `_`, starting with a letter
 * or digit, as EKS cluster names are (so never `.` or `..`, and never mistaken for cdk8s's `<Kind>.<name>` files).
 */
const FOLDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
/** An object name names a file: a DNS-1123 subdomain, as Kubernetes requires of most names. */
const DNS_1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A kind is one CamelCase word. */
const KIND = /^[A-Za-z][A-Za-z0-9]{0,62}$/;

/**
 * Synthesizes every chart of the app into plain objects, with the construct path
 * of each. cdk8s runs every construct's validations first, so invalid props fail
 * here, before any file is written.
 */
export function synthesizeCharts(app: App): ChartManifests[] {
  const sources = constructSources(app);
  // One pass: cdk8s validates the whole app again for every chart, and our validations answer once.
  return withinSynthesisPass(() => app.charts.map((chart: Chart) => ({
    chartId: chart.node.id,
    path: chart.node.path,
    manifests: chart.toJson() as KubeObject[],
    sources: sources.get(chart) ?? new Map(),
  })));
}

/** The construct path of every object, per chart (the chart that writes it: its closest), keyed by {@link objectKey}. */
function constructSources(app: App): Map<Chart, Map<string, string>> {
  const byChart = new Map<Chart, Map<string, string>>();
  for (const construct of app.node.findAll()) {
    if (!ApiObject.isApiObject(construct)) continue;
    const chart = Chart.of(construct);
    if (!byChart.has(chart)) byChart.set(chart, new Map());
    byChart.get(chart)!.set(objectKey(construct.kind, construct.name), ownerOf(construct).node.path);
  }
  return byChart;
}

/** The construct a user wrote: an L2 rather than the `Resource` it wraps. */
function ownerOf(construct: IConstruct): IConstruct {
  return construct.node.id === 'Resource' && construct.node.scope ? construct.node.scope : construct;
}

/**
 * Refuses names that cannot safely become files and folders, before anything is
 * written: a chart id that is not a plain folder name, two charts that would
 * share a folder (nested charts with one id, or ids that differ only in case),
 * and an object kind or name that is not a plain word or DNS-1123 name.
 */
export function checkFileNames(charts: readonly ChartManifests[]): void {
  const folders = new Map<string, ChartManifests>();
  for (const chart of charts) {
    const chartPath = chart.path ?? chart.chartId;
    if (!FOLDER_NAME.test(chart.chartId)) {
      throw new ConfigError(chartPath, 'chart id', chart.chartId, 'a folder name of letters, digits, "-" and "_", starting with a letter or digit, at most 100 characters, as EKS cluster names are (it names the folder dist/<chart id>/)');
    }
    const other = folders.get(chart.chartId.toLowerCase());
    if (other) {
      throw new ConfigError(chartPath, 'chart id', chart.chartId, `unique among the app's charts, ignoring case: the chart ${other.path ?? other.chartId} has the id ${JSON.stringify(other.chartId)}, and both would be written to dist/${chart.chartId}/. Give each cluster's chart its own id`);
    }
    folders.set(chart.chartId.toLowerCase(), chart);
    for (const manifest of chart.manifests) {
      const where = chart.sources?.get(objectKey(manifest.kind, manifest.metadata?.name)) ?? chartPath;
      if (typeof manifest.kind !== 'string' || !KIND.test(manifest.kind)) {
        throw new ConfigError(where, 'kind', manifest.kind, 'one CamelCase word of letters and digits (it names the file <kind>-<name>.yaml)');
      }
      if (typeof manifest.metadata?.name !== 'string' || !DNS_1123_SUBDOMAIN.test(manifest.metadata.name)) {
        throw new ConfigError(where, 'metadata.name', manifest.metadata?.name, 'a DNS-1123 name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters (it names the file <kind>-<name>.yaml)');
      }
    }
  }
}

/**
 * The `dist/` layout for GitOps: the {@link OUTPUT_MARKER}, a folder per chart,
 * one file per object named `<kind>-<name>.yaml`, and a `kustomization.yaml`
 * listing them in dependency order. Pure: the same manifests always give the
 * same bytes. Names that cannot be files are refused ({@link checkFileNames}).
 *
 * @returns file contents keyed by path relative to the output folder
 */
export function renderDistFiles(charts: readonly ChartManifests[]): Map<string, string> {
  checkFileNames(charts);
  const files = new Map<string, string>([[OUTPUT_MARKER, OUTPUT_MARKER_CONTENT]]);
  for (const { chartId, manifests, sources } of charts) {
    const resources: string[] = [];
    for (const manifest of manifests) {
      const fileName = `${manifest.kind.toLowerCase()}-${manifest.metadata.name}.yaml`;
      const filePath = `${chartId}/${fileName}`;
      if (files.has(filePath)) {
        const where = sources?.get(objectKey(manifest.kind, manifest.metadata.name)) ?? chartId;
        throw new ConfigError(where, `${manifest.kind} ${manifest.metadata.name}`, filePath, 'object names must be unique per kind within a chart');
      }
      files.set(filePath, GENERATED_HEADER + manifestYaml(manifest));
      resources.push(fileName);
    }
    files.set(`${chartId}/kustomization.yaml`, GENERATED_HEADER + manifestYaml({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources,
    }));
  }
  return files;
}

/** The layout cdk8s-cli expects in its output folder (`<chart>.k8s.yaml`), for its validation plugins and Helm packaging. */
export function renderCdk8sCliFiles(charts: readonly ChartManifests[]): Map<string, string> {
  checkFileNames(charts);
  return new Map(charts.map(({ chartId, manifests }) => [cliManifestFile(chartId), manifests.map(manifestYaml).join('---\n')]));
}
