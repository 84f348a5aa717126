import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { SociBootstrap } from '../../lib/bootstrap';
import { Ec2NodeClass, NodePool, Requirement, WellKnownLabels } from '../../lib/constructs';
import { synthesizeCharts } from '../../lib/output';
import { keptForPass, withinSynthesisPass } from '../../lib/validation/synthesis-pass';

describe('keptForPass', () => {
  test('GIVEN no synthesis pass WHEN asked twice THEN it answers twice', () => {
    let calls = 0;
    const answer = keptForPass(() => ++calls);
    expect([answer(), answer()]).toEqual([1, 2]);
  });

  test('GIVEN one pass WHEN asked twice THEN it answers once; a later pass answers afresh', () => {
    let calls = 0;
    const answer = keptForPass(() => ++calls);
    expect(withinSynthesisPass(() => [answer(), answer()])).toEqual([1, 1]);
    expect(withinSynthesisPass(() => answer())).toBe(2);
    expect(answer()).toBe(3);
  });

  test('GIVEN a pass inside a pass WHEN asked in both THEN the inner pass answers once for itself, and the outer pass, current again after it, answers afresh (one answer is kept at a time)', () => {
    let calls = 0;
    const answer = keptForPass(() => ++calls);
    const seen = withinSynthesisPass(() => [answer(), withinSynthesisPass(() => [answer(), answer()]), answer(), answer()]);
    expect(seen).toEqual([1, [2, 2], 3, 3]);
  });

  test('GIVEN an answer that throws WHEN asked again in the same pass THEN it is asked again (nothing was kept)', () => {
    let calls = 0;
    const answer = keptForPass(() => {
      calls += 1;
      if (calls === 1) throw new Error('first call fails');
      return calls;
    });
    const seen = withinSynthesisPass(() => {
      expect(() => answer()).toThrow('first call fails');
      return [answer(), answer()];
    });
    expect(seen).toEqual([2, 2]);
  });

  test('GIVEN a pass that throws WHEN it has ended THEN no pass is current: each call answers afresh', () => {
    let calls = 0;
    const answer = keptForPass(() => ++calls);
    expect(() => withinSynthesisPass(() => {
      answer();
      throw new Error('synth failed');
    })).toThrow('synth failed');
    expect([answer(), answer()]).toEqual([2, 3]);
  });
});

describe('validation at synth', () => {
  afterEach(() => jest.restoreAllMocks());

  test('GIVEN an app of three charts WHEN synthesizeCharts runs THEN each pool is rendered once for its chart and once for its validation, though cdk8s validates the app per chart', () => {
    // GIVEN three charts, each with a node class and a pool
    const app = Testing.app();
    const pools = [0, 1, 2].map((i) => {
      const chart = new Chart(app, `cluster-${i}`);
      const nodeClass = new Ec2NodeClass(chart, 'Nodes', { role: 'r', discoveryTag: 'd', bootstrap: SociBootstrap.native() });
      return new NodePool(chart, 'Pool', { nodeClass });
    });
    const renders = pools.map((pool) => jest.spyOn(pool.resource, 'toJson'));

    // WHEN
    const charts = synthesizeCharts(app);

    // THEN (validated once per chart, each pool would be rendered 1 + 3 times)
    expect(charts.map((chart) => chart.manifests.length)).toEqual([2, 2, 2]);
    expect(renders.map((render) => render.mock.calls.length)).toEqual([2, 2, 2]);
  });

  test('GIVEN a pool patched into a guard failure after one synthesis WHEN synthesized again THEN the new synthesis fails: nothing is kept across passes', () => {
    // GIVEN an app that synthesizes
    const app = Testing.app();
    const chart = new Chart(app, 'cluster');
    const nodeClass = new Ec2NodeClass(chart, 'Nodes', { role: 'r', discoveryTag: 'd', bootstrap: SociBootstrap.native() });
    const pool = new NodePool(chart, 'Pool', { nodeClass });
    expect(synthesizeCharts(app)).toHaveLength(1);

    // WHEN the pool is patched to allow only a 2 vCPU / 2 GiB type, and synthesized again
    ApiObject.of(pool).addJsonPatch(JsonPatch.replace('/spec/template/spec/requirements', [Requirement.in(WellKnownLabels.INSTANCE_TYPE, 't3.small')]));

    // THEN
    expect(() => synthesizeCharts(app)).toThrow(/\[cluster\/Pool\] ERROR \[small-instances\]/);
  });
});
