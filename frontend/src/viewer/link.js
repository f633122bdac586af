// Whether the page asks for compressed (JPEG-LS) pixels or for them as stored: per link, from what the page has
// already fetched, unless the reader has chosen (the viewer's "pixels" setting). No Cornerstone import: the page
// head decides before the viewer bundle has been parsed (early-frames.js).
//
// Compression pays when the bytes it saves take longer to arrive than the frame takes to decode. A 512x512 CT slice
// is 524 kB as stored and 108 kB as JPEG-LS (416 kB saved); CharLS decodes it in about 32 ms in Chromium
// (docs/performance.md, bench_codecs). 416 kB in 32 ms is 13 MB/s, about 100 Mbit/s: below that the page asks for
// JPEG-LS, above it for the pixels as stored (a hospital LAN, loopback). Decoding runs in two workers beside the
// transfer, so the true break-even is higher; erring towards compression costs a fast link a few ms per slice.
export const COMPRESS_BELOW_BYTES_PER_S = 12.5e6;
// Near the threshold the last choice stands: the estimate must leave [threshold / 2, threshold x 2] to change it,
// so one noisy measurement does not switch the syntax from study to study.
const HYSTERESIS = 2;
// Bodies smaller than this arrive within a timer tick on any link: their timing says nothing of throughput.
export const MIN_SAMPLE_BYTES = 16 * 1024;
// The estimate is the fastest of the last few responses: a response is slowed by the server too (a series stream
// is read from storage part by part), never sped up, so the fastest one is nearest to what the link can carry.
// Three slow ones in a row (about two studies) are what it takes to call a link slow again.
const RECENT = 3;
// Chrome reports navigator.connection.downlink capped at 10 Mbit/s: 10 only says "at least 10".
const DOWNLINK_CAP_MBPS = 10;

export const PIXELS_SETTING = 'radcurate.viewer.pixels';
const LINK_ESTIMATE = 'radcurate.viewer.link';
export const PIXEL_CHOICES = ['automatic', 'compressed', 'uncompressed'];

function storage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage denied (privacy settings): every page decides afresh
  }
}

export function pixelSetting(store = storage()) {
  const value = store?.getItem(PIXELS_SETTING);
  return PIXEL_CHOICES.includes(value) ? value : 'automatic';
}

export function setPixelSetting(value, store = storage()) {
  if (!PIXEL_CHOICES.includes(value)) throw new Error(`Unknown pixels setting: ${value}`);
  store?.setItem(PIXELS_SETTING, value);
}

// Bytes per second of one response from its body's size and the time from its first to its last byte.
export function throughput({ bytes, ms }) {
  if (!(bytes >= MIN_SAMPLE_BYTES) || !(ms >= 0)) return null;
  return bytes / (Math.max(ms, 0.1) / 1000); // Resource Timing is coarsened to 0.1 ms
}

// The response's own Resource Timing entry (taken by the network stack, so a busy main thread does not slow it);
// null when it is not there (a full buffer); `cached` when the browser's cache answered (it says nothing of the link).
export function timingSample(url, performanceApi = globalThis.performance) {
  const entries = performanceApi?.getEntriesByName?.(url) ?? [];
  const entry = entries[entries.length - 1];
  if (!entry) return null;
  if (!entry.transferSize) return { cached: true };
  return { bytes: entry.encodedBodySize, ms: entry.responseEnd - entry.responseStart };
}

// What the page knows of its link before it has fetched any pixels: the estimate it kept from earlier opens, else
// the navigation's own document, else the browser's network information; null when none of them says anything.
export function priorEstimate({ store = storage(), performanceApi = globalThis.performance,
  connection = globalThis.navigator?.connection } = {}) {
  try {
    const kept = JSON.parse(store?.getItem(LINK_ESTIMATE) || 'null');
    if (kept?.bytesPerSecond > 0) return kept;
  } catch { /* a damaged entry: measured again */ }
  const navigation = performanceApi?.getEntriesByType?.('navigation')?.[0];
  const fromDocument = navigation && throughput({
    bytes: navigation.encodedBodySize, ms: navigation.responseEnd - navigation.responseStart,
  });
  if (fromDocument) return { bytesPerSecond: fromDocument, source: 'document' };
  const downlink = connection?.downlink;
  if (downlink > 0 && downlink < DOWNLINK_CAP_MBPS) return { bytesPerSecond: (downlink * 1e6) / 8, source: 'browser' };
  return null;
}

// The automatic choice: compressed below the threshold; an unknown link gets compressed pixels (a slow link loses
// far more to plain pixels than a fast one loses to decoding); within the hysteresis band the last choice stands.
export function automaticCompressed(estimate) {
  const rate = estimate?.bytesPerSecond;
  if (!(rate > 0)) return true;
  if (typeof estimate.compressed === 'boolean'
    && rate > COMPRESS_BELOW_BYTES_PER_S / HYSTERESIS && rate < COMPRESS_BELOW_BYTES_PER_S * HYSTERESIS) {
    return estimate.compressed;
  }
  return rate < COMPRESS_BELOW_BYTES_PER_S;
}

// One page's view of its link: asks `compressed()` before each pixel request and is told each response's timing.
export class LinkChoice {
  constructor({ store = storage(), performanceApi = globalThis.performance, connection } = {}) {
    this.store = store;
    this.performanceApi = performanceApi;
    this.estimate = priorEstimate({ store, performanceApi, connection: connection ?? globalThis.navigator?.connection });
  }

  setting() {
    return pixelSetting(this.store);
  }

  compressed() {
    const setting = this.setting();
    if (setting !== 'automatic') return setting === 'compressed';
    return automaticCompressed(this.estimate);
  }

  // A pixel response has arrived whole: its Resource Timing entry (else `fallback`, timed by the page) updates the
  // estimate, which is kept for the next page, with the choice it now gives.
  observe(url, fallback = null) {
    const timed = timingSample(url, this.performanceApi);
    if (timed?.cached) return;
    const rate = throughput(timed || fallback || {});
    if (!rate) return;
    const previous = this.estimate ? automaticCompressed(this.estimate) : undefined;
    const recent = [...(this.estimate?.recent || []), rate].slice(-RECENT);
    const source = timed ? 'measured' : 'measured by the page';
    this.estimate = { bytesPerSecond: Math.max(...recent), recent, source, compressed: previous };
    this.estimate.compressed = automaticCompressed(this.estimate);
    try {
      this.store?.setItem(LINK_ESTIMATE, JSON.stringify(this.estimate));
    } catch { /* storage full or denied: this page still uses it */ }
  }

  // For the setting's label and the tests: what the page asks for now and why.
  describe() {
    const setting = this.setting();
    const mbps = this.estimate?.bytesPerSecond ? `${((this.estimate.bytesPerSecond * 8) / 1e6).toFixed(0)} Mbit/s` : null;
    const pixels = this.compressed() ? 'compressed' : 'as stored';
    if (setting !== 'automatic') return { setting, pixels, reason: 'chosen' };
    return { setting, pixels, reason: mbps ? `link ~${mbps} (${this.estimate.source})` : 'link not measured yet' };
  }
}
