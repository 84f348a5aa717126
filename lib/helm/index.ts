// The Helm chart, built from the constructs with cluster-specific fields as values.
export { CHART_NAME, renderHelmChart } from './helm-chart';
export type { HelmChartOptions } from './helm-chart';
export { chartValuesSchema, clusterValues } from './chart-values';
export type { ChartValues } from './chart-values';
export { packageVersion, renderHelmOutput, synthHelm } from './synth-helm';
export type { SynthHelmOptions } from './synth-helm';
