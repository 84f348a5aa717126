import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const SEQUENCER = path.join(ROOT, 'test/support/slow-first-sequencer.js');

describe('the test sequencer (jest.config.js testSequencer)', () => {
  test('GIVEN its table of estimates THEN every suite it names exists, so a renamed suite does not lose its head start', () => {
    // GIVEN the table, as written in the sequencer
    const table = fs.readFileSync(SEQUENCER, 'utf8').match(/ESTIMATED_SECONDS = \{([\s\S]*?)\};/)![1];
    const suites = [...table.matchAll(/'([^']+)': \d+/g)].map((m) => m[1]);

    // THEN
    expect(suites.length).toBeGreaterThan(5);
    expect(suites.filter((suite) => !fs.existsSync(path.join(ROOT, suite)))).toEqual([]);
  });
});
