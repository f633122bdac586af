// Unit tests of the page-head preview's pixel rules (node --test): modality LUT, window, sign, MONOCHROME1.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { previewable, windowedRgba } from '../viewer/preview.js';

const ct = (extra = {}) => ({
  '00280010': { Value: [1] }, '00280011': { Value: [3] }, '00280100': { Value: [16] },
  '00281052': { Value: ['-1024'] }, '00281053': { Value: ['1'] }, ...extra,
});

test('stored values go through slope and intercept, then the window, to grey levels', () => {
  const stored = new Uint8Array(new Uint16Array([1024, 1064, 2024]).buffer); // 0, 40, 1000 HU
  const rgba = windowedRgba(stored, ct(), { width: 80, level: 40 });
  assert.deepEqual([rgba[0], rgba[4], rgba[8]], [0, 128, 255]); // below, at the level, above
  assert.deepEqual([...rgba.slice(4, 8)], [128, 128, 128, 255]);
});

test('signed pixels and MONOCHROME1 are honoured', () => {
  const stored = new Uint8Array(new Int16Array([-1000, 40, 1000]).buffer);
  const instance = ct({ '00280103': { Value: [1] }, '00281052': { Value: ['0'] }, '00280004': { Value: ['MONOCHROME1'] } });
  const rgba = windowedRgba(stored, instance, { width: 80, level: 40 });
  assert.deepEqual([rgba[0], rgba[4], rgba[8]], [255, 128, 0]);
});

test('only native 16-bit grey frames of the announced size are drawn', () => {
  const bytes = new Uint8Array(6);
  assert.equal(previewable(ct(), bytes), true);
  assert.equal(previewable(ct(), new Uint8Array(4)), false);
  assert.equal(previewable(ct({ '00280100': { Value: [8] } }), bytes), false);
  assert.equal(previewable(ct({ '00280002': { Value: [3] } }), bytes), false);
});
