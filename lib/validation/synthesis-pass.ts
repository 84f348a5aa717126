/**
 * One synthesis of an app's charts, as `synthesizeCharts` runs it. cdk8s validates the
 * whole app before each chart it synthesizes (`Chart.toJson`), so an app of N charts runs
 * every construct's validations N times, each rendering its objects again. Inside a pass a
 * validation made with {@link keptForPass} answers once and keeps the answer for the rest of
 * the pass: nothing a user can change runs between the charts of one synthesis. Outside a
 * pass (`App.synth`, `Testing.synth`, a chart's own `toJson`) it answers afresh every time.
 */
let currentPass: object | undefined;

/** Runs `synthesize` as one synthesis pass; passes may nest, and each ends with its call. */
export function withinSynthesisPass<T>(synthesize: () => T): T {
  const outer = currentPass;
  currentPass = {};
  try {
    return synthesize();
  } finally {
    currentPass = outer;
  }
}

/** `answer`, called at most once per synthesis pass (a call that throws keeps nothing), and on every call outside one. */
export function keptForPass<T>(answer: () => T): () => T {
  let kept: { readonly pass: object; readonly value: T } | undefined;
  return () => {
    if (currentPass === undefined) return answer();
    if (kept?.pass !== currentPass) kept = { pass: currentPass, value: answer() };
    return kept.value;
  };
}
