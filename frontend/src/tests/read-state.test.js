// Unit tests of the read's rules in Node (node --test): hierarchy, cycling, no findings, slices, round trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fromRanges, ReadState, toRanges } from '../form/read-state.js';

const TREE = [
  {
    code: 'intracranial_hemorrhage', hotkey: 'a', significance: 'high',
    children: [{ code: 'subdural_hemorrhage', hotkey: 'F', significance: 'high', children: [] }],
  },
  { code: 'fracture', hotkey: 'b', significance: 'moderate', children: [] },
];

test('a positive child makes its parent positive', () => {
  const s = new ReadState(TREE);
  s.set('subdural_hemorrhage', 'present');
  assert.equal(s.get('intracranial_hemorrhage'), 'present');
});

test('an uncertain child makes an unset parent uncertain but never lowers a present one', () => {
  const s = new ReadState(TREE);
  s.set('subdural_hemorrhage', 'uncertain');
  assert.equal(s.get('intracranial_hemorrhage'), 'uncertain');
  s.set('intracranial_hemorrhage', 'present');
  s.set('subdural_hemorrhage', 'uncertain');
  assert.equal(s.get('intracranial_hemorrhage'), 'present');
});

test('a parent called absent takes its subtypes with it', () => {
  const s = new ReadState(TREE);
  s.set('subdural_hemorrhage', 'present');
  s.set('intracranial_hemorrhage', 'absent');
  assert.equal(s.get('subdural_hemorrhage'), 'absent');
});

test('a parent called uncertain takes its present subtypes to uncertain, so no read has a subtype above it', () => {
  const s = new ReadState(TREE);
  s.set('subdural_hemorrhage', 'present');
  s.cycle('intracranial_hemorrhage'); // present -> uncertain
  assert.equal(s.get('intracranial_hemorrhage'), 'uncertain');
  assert.equal(s.get('subdural_hemorrhage'), 'uncertain');
});

test('one key cycles present, uncertain, absent, unset', () => {
  const s = new ReadState(TREE);
  assert.deepEqual([s.cycle('fracture'), s.cycle('fracture'), s.cycle('fracture'), s.cycle('fracture')],
    ['present', 'uncertain', 'absent', undefined]);
});

test('no findings marks every trait absent and drops slices', () => {
  const s = new ReadState(TREE);
  s.toggleSlice('fracture', 3);
  s.noFindings();
  assert.deepEqual(s.counts(), { present: 0, uncertain: 0, absent: 3, unset: 0 });
  assert.deepEqual(s.ranges('fracture'), []);
});

test('marking slices makes the trait present and merges into ranges', () => {
  const s = new ReadState(TREE);
  s.markRange('fracture', 7, 4);
  s.toggleSlice('fracture', 9);
  s.toggleSlice('fracture', 8);
  assert.equal(s.get('fracture'), 'present');
  assert.deepEqual(s.ranges('fracture'), [[4, 9]]);
  s.toggleSlice('fracture', 6);
  assert.deepEqual(s.ranges('fracture'), [[4, 5], [7, 9]]);
});

test('labels round-trip in the engine payload shape', () => {
  const s = new ReadState(TREE);
  s.markRange('subdural_hemorrhage', 2, 3);
  s.set('fracture', 'uncertain');
  const labels = s.toLabels();
  assert.deepEqual(labels, {
    intracranial_hemorrhage: { state: 'present' },
    subdural_hemorrhage: { state: 'present', slice_ranges: [[2, 3]] },
    fracture: { state: 'uncertain' },
  });
  const t = new ReadState(TREE);
  t.load({ ...labels, unknown_trait: 'present', fracture: 'uncertain' });
  assert.deepEqual(t.toLabels(), labels);
});

test('ranges and sets convert both ways', () => {
  assert.deepEqual(toRanges(new Set([5, 1, 2, 3, 9])), [[1, 3], [5, 5], [9, 9]]);
  assert.deepEqual([...fromRanges([[1, 3], [9, 9]])], [1, 2, 3, 9]);
});

test('a key image makes its trait present, toggles, goes out sorted and comes back; a non-positive call drops it', () => {
  const s = new ReadState(TREE);
  s.toggleKeyImage('subdural_hemorrhage', 9);
  s.toggleKeyImage('subdural_hemorrhage', 4);
  s.toggleKeyImage('subdural_hemorrhage', 7);
  s.toggleKeyImage('subdural_hemorrhage', 7);
  assert.equal(s.get('subdural_hemorrhage'), 'present');
  assert.equal(s.get('intracranial_hemorrhage'), 'present');
  const labels = s.toLabels();
  assert.deepEqual(labels.subdural_hemorrhage, { state: 'present', key_images: [4, 9] });
  assert.deepEqual(labels.intracranial_hemorrhage, { state: 'present' });
  const back = new ReadState(TREE);
  back.load(labels);
  assert.deepEqual(back.keyImageList('subdural_hemorrhage'), [4, 9]);
  back.set('subdural_hemorrhage', 'uncertain');
  assert.deepEqual(back.keyImageList('subdural_hemorrhage'), []);
  assert.deepEqual(back.toLabels().subdural_hemorrhage, { state: 'uncertain' });
});
