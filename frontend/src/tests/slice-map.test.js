// Unit tests of slice mapping between series (node --test): a thick series' marks on a thin one and back.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { mapSlice, marksOn, nearestSlice, slicePositions } from '../viewer/slice-map.js';

const instance = (z, number) => ({
  '00080018': { Value: [`1.2.${number}`] },
  '00200013': { Value: [number] },
  '00200032': { Value: [0, 0, z] },
  '00200037': { Value: [1, 0, 0, 0, 1, 0] },
});

test('positions follow slice order, not the order the instances came in', () => {
  assert.deepEqual(slicePositions([instance(10, 3), instance(0, 1), instance(5, 2)]), [0, 5, 10]);
});

test('the nearest slice by position, ties to the lower one, clamped at both ends', () => {
  const thin = [0, 2.5, 5, 7.5, 10];
  assert.equal(nearestSlice(thin, 5), 2);
  assert.equal(nearestSlice(thin, 6.2), 2);
  assert.equal(nearestSlice(thin, 6.3), 3);
  assert.equal(nearestSlice(thin, 3.75), 1);
  assert.equal(nearestSlice(thin, -40), 0);
  assert.equal(nearestSlice(thin, 99), 4);
});

test('a thick slice maps onto the thin slice at its position and back', () => {
  const thick = [0, 5, 10, 15];
  const thin = [0, 2.5, 5, 7.5, 10, 12.5, 15];
  assert.equal(mapSlice(thick, thin, 2), 4);
  assert.equal(mapSlice(thin, thick, 4), 2);
  assert.equal(mapSlice(thin, thick, 3), 1);
  assert.equal(mapSlice(thick, thick, 3), 3);
  assert.equal(mapSlice(null, thin, 3), 3);
});

test('marks keep their labels and come out ordered on the series shown', () => {
  const thick = [0, 5, 10, 15];
  const thin = [0, 2.5, 5, 7.5, 10, 12.5, 15];
  assert.deepEqual(marksOn([{ from: 1, to: 2, label: 'SDH' }], thick, thin), [{ from: 2, to: 4, label: 'SDH' }]);
  assert.deepEqual(marksOn([{ from: 6, to: 3, label: 'SDH' }], thin, thick), [{ from: 1, to: 3, label: 'SDH' }]);
});
