// Unit tests of the form layout and the viewer's pure ordering rules (node --test).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { layoutTraits } from '../form/layout.js';
import { prefetchOrder, sliceSortKey } from '../viewer/order.js';
import { presetByKey, voiRange, windowLevel } from '../viewer/presets.js';

const loc = (name) => ({ kind: 'location', name });

test('sections go high, moderate, low and group by location in display order', () => {
  const traits = [
    { code: 'sinus', significance: 'low', display_order: 5, groups: [loc('sinus/orbit/mastoid')] },
    { code: 'ich', significance: 'high', display_order: 1, groups: [loc('extra-axial'), loc('intra-axial')] },
    { code: 'infarct', significance: 'high', display_order: 2, groups: [loc('intra-axial')] },
    { code: 'hydro', significance: 'moderate', display_order: 3, groups: [] },
  ];
  const sections = layoutTraits(traits);
  assert.deepEqual(sections.map((s) => s.significance), ['high', 'moderate', 'low']);
  assert.deepEqual(sections[0].groups.map((g) => [g.location, g.traits.map((t) => t.code)]),
    [['extra-axial / intra-axial', ['ich']], ['intra-axial', ['infarct']]]);
  assert.equal(sections[1].groups[0].location, 'other');
});

test('slices sort by position along the normal, instance number only without geometry', () => {
  const axial = (z, n) => ({ '00200032': { Value: [0, 0, z] }, '00200037': { Value: [1, 0, 0, 0, 1, 0] }, '00200013': { Value: [n] } });
  const sorted = [axial(10, 1), axial(-5, 3), axial(2.5, 2)].sort((a, b) => sliceSortKey(a) - sliceSortKey(b));
  assert.deepEqual(sorted.map((i) => i['00200032'].Value[2]), [-5, 2.5, 10]);
  assert.equal(sliceSortKey({ '00200013': { Value: [7] } }), 7);
});

test('prefetch goes center-out and covers every slice once', () => {
  assert.deepEqual(prefetchOrder(6, 2), [2, 3, 1, 4, 0, 5]);
  const order = prefetchOrder(40, 20);
  assert.equal(new Set(order).size, 40);
});

test('presets are the head-CT windows on keys 1-5', () => {
  assert.deepEqual(['1', '2', '3', '4', '5'].map((k) => presetByKey(k).name), ['brain', 'subdural', 'stroke', 'bone', 'soft tissue']);
  assert.deepEqual(voiRange(presetByKey('4')), { lower: -800, upper: 2000 });
  assert.deepEqual(windowLevel(voiRange(presetByKey('3'))), { width: 8, level: 32 });
  assert.equal(presetByKey('6'), null);
});
