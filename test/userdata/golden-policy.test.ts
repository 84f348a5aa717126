import { mayUpdateGoldens } from '../golden/golden-file';

describe('golden files', () => {
  const saved = { UPDATE_GOLDEN: process.env.UPDATE_GOLDEN, CI: process.env.CI };
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  test.each([
    ['UPDATE_GOLDEN=1', { UPDATE_GOLDEN: '1', CI: undefined }, true],
    ['UPDATE_GOLDEN=1 under CI=true', { UPDATE_GOLDEN: '1', CI: 'true' }, false],
    ['no UPDATE_GOLDEN', { UPDATE_GOLDEN: undefined, CI: undefined }, false],
    ['UPDATE_GOLDEN=true (only 1 counts)', { UPDATE_GOLDEN: 'true', CI: undefined }, false],
  ])('%s: may rewrite goldens = %s', (_, env, expected) => {
    // GIVEN
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    // THEN
    expect(mayUpdateGoldens()).toBe(expected);
  });
});
