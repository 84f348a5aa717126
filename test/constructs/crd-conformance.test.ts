import { fieldOf } from '../../lib/constructs/crd-conformance';

describe('fieldOf', () => {
  test.each([
    ['', ''],
    ['/spec/weight', 'spec.weight'],
    ['/spec/template/spec/requirements/2/values', 'spec.template.spec.requirements[2].values'],
    ['/spec/template/metadata/labels/karpenter.sh~1nodepool', 'spec.template.metadata.labels["karpenter.sh/nodepool"]'],
    ['/spec/tags/a~0b', 'spec.tags["a~b"]'],
  ])('GIVEN the JSON pointer %j THEN the field reads %j', (pointer, field) => {
    expect(fieldOf(pointer)).toBe(field);
  });
});
