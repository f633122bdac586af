// The per-link choice of compressed or as-stored pixels (viewer/link.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  automaticCompressed, COMPRESS_BELOW_BYTES_PER_S, LinkChoice, MIN_SAMPLE_BYTES, PIXELS_SETTING, priorEstimate,
  setPixelSetting, throughput,
} from '../viewer/link.js';

class MemoryStore {
  constructor(entries = {}) { this.map = new Map(Object.entries(entries)); }
  getItem(key) { return this.map.has(key) ? this.map.get(key) : null; }
  setItem(key, value) { this.map.set(key, String(value)); }
}

const noTimings = { getEntriesByName: () => [], getEntriesByType: () => [] };
const MB = 1e6;

test('a body too small to time says nothing; a large one gives bytes per second', () => {
  assert.equal(throughput({ bytes: MIN_SAMPLE_BYTES - 1, ms: 1 }), null);
  assert.equal(throughput({ bytes: 524288, ms: 0 }), 524288 / 0.0001); // a 0 ms body is counted as 0.1 ms
  assert.equal(Math.round(throughput({ bytes: 108000, ms: 43.2 })), 2.5 * MB);
});

test('below about 100 Mbit/s compressed, above it as stored; unknown links get compressed pixels', () => {
  assert.equal(COMPRESS_BELOW_BYTES_PER_S, 12.5 * MB);
  assert.equal(automaticCompressed(null), true);
  assert.equal(automaticCompressed({ bytesPerSecond: 2.5 * MB }), true); // 20 Mbit/s
  assert.equal(automaticCompressed({ bytesPerSecond: 125 * MB }), false); // gigabit LAN
  // Near the threshold the last choice stands; far from it the estimate decides again.
  assert.equal(automaticCompressed({ bytesPerSecond: 15 * MB, compressed: true }), true);
  assert.equal(automaticCompressed({ bytesPerSecond: 10 * MB, compressed: false }), false);
  assert.equal(automaticCompressed({ bytesPerSecond: 30 * MB, compressed: true }), false);
  assert.equal(automaticCompressed({ bytesPerSecond: 5 * MB, compressed: false }), true);
});

test('the prior: the kept estimate, else the document, else a capped-below-10 downlink, else unknown', () => {
  const kept = new MemoryStore({ 'radcurate.viewer.link': JSON.stringify({ bytesPerSecond: 3 * MB, source: 'measured' }) });
  assert.equal(priorEstimate({ store: kept, performanceApi: noTimings }).bytesPerSecond, 3 * MB);
  const navigation = { getEntriesByType: () => [{ encodedBodySize: 50_000, responseStart: 10, responseEnd: 30 }] };
  assert.deepEqual(priorEstimate({ store: new MemoryStore(), performanceApi: navigation }),
    { bytesPerSecond: 2.5 * MB, source: 'document' });
  const smallPage = { getEntriesByType: () => [{ encodedBodySize: 9_000, responseStart: 10, responseEnd: 10.1 }] };
  assert.equal(priorEstimate({ store: new MemoryStore(), performanceApi: smallPage, connection: { downlink: 10 } }), null);
  assert.equal(priorEstimate({ store: new MemoryStore(), performanceApi: smallPage, connection: { downlink: 4 } })
    .bytesPerSecond, 0.5 * MB);
  const damaged = new MemoryStore({ 'radcurate.viewer.link': '{not json' });
  assert.equal(priorEstimate({ store: damaged, performanceApi: noTimings, connection: {} }), null);
});

test('a measured response updates the choice and is kept for the next page; the setting wins over it', () => {
  const store = new MemoryStore();
  let entries = [];
  const performanceApi = { getEntriesByName: () => entries, getEntriesByType: () => [] };
  const link = new LinkChoice({ store, performanceApi, connection: {} });
  assert.equal(link.compressed(), true); // nothing known yet
  // Resource Timing first: a 524 kB frame in 2 ms (loopback), whatever the page's own clock said.
  entries = [{ transferSize: 524_800, encodedBodySize: 524_288, responseStart: 100, responseEnd: 102 }];
  link.observe('f', { bytes: 524_288, ms: 900 });
  assert.equal(link.compressed(), false);
  assert.equal(new LinkChoice({ store, performanceApi: noTimings, connection: {} }).compressed(), false);
  // No entry (a full buffer): the page's own timing. One slow response (a busy server) does not turn a fast link
  // slow; three in a row (a 20 Mbit/s link) do.
  entries = [];
  link.observe('s', { bytes: 4_300_000, ms: 1720 });
  link.observe('s', { bytes: 4_300_000, ms: 1720 });
  assert.equal(link.compressed(), false);
  link.observe('s', { bytes: 4_300_000, ms: 1720 });
  assert.equal(link.compressed(), true);
  assert.match(link.describe().reason, /link ~20 Mbit\/s \(measured by the page\)/);
  setPixelSetting('uncompressed', store);
  assert.equal(store.getItem(PIXELS_SETTING), 'uncompressed');
  assert.equal(link.compressed(), false);
  assert.deepEqual(link.describe(), { setting: 'uncompressed', pixels: 'as stored', reason: 'chosen' });
  setPixelSetting('compressed', store);
  link.observe('f', { bytes: 524_288, ms: 1 });
  assert.equal(link.compressed(), true);
  assert.throws(() => setPixelSetting('lossy', store), /Unknown pixels setting/);
  // A response from the browser's cache (no bytes on the wire) says nothing of the link.
  setPixelSetting('automatic', store);
  const before = link.estimate;
  entries = [{ transferSize: 0, encodedBodySize: 524_288, responseStart: 100, responseEnd: 100 }];
  link.observe('f', { bytes: 524_288, ms: 0.1 });
  assert.equal(link.estimate, before);
});
