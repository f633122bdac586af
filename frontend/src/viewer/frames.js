// A series' pixels fetched by the page itself: the opening slice as a WADO-RS frame, and the whole series as one
// WADO-RS series retrieve (one request instead of one per slice: each request costs the server a session, a
// permission and an instance lookup, and on a busy machine that, not the bytes, is what the reader waits for).
// Frames the stream cannot give (compressed or multi-frame instances, a failed stream) come as WADO-RS frames.
//
// No Cornerstone import: the page head starts this before the viewer bundle has been parsed (early-frames.js),
// and the viewer hands the bytes to Cornerstone's loader through its compressed-frame registry (frame-store.js).

// On a slow link pixels travel as JPEG-LS lossless (PS3.18 Accept negotiation; docs/archive.md, "DICOMweb"): a
// 512x512 CT slice is a fifth of its native size, and Cornerstone decodes it with CharLS (WebAssembly) in a few
// milliseconds. Anything the archive cannot give that way comes as stored (the second choice). On a fast link they
// come as stored (link.js decides, per request).
export const JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80';
export const FRAMES_ACCEPT = `multipart/related; type="image/jls"; transfer-syntax=${JPEG_LS_LOSSLESS}, `
  + 'multipart/related; type="application/octet-stream"; transfer-syntax=*; q=0.5';
export const INSTANCES_ACCEPT = `multipart/related; type="application/dicom"; transfer-syntax=${JPEG_LS_LOSSLESS}, `
  + 'multipart/related; type="application/dicom"; transfer-syntax=*; q=0.5';
export const FRAMES_AS_STORED = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';
export const INSTANCES_AS_STORED = 'multipart/related; type="application/dicom"; transfer-syntax=*';
const IMPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2';
const NATIVE_LITTLE_ENDIAN = new Set([IMPLICIT_LITTLE_ENDIAN, '1.2.840.10008.1.2.1']);
// Encapsulated syntaxes whose frames Cornerstone's loader decodes (deflate and big endian are whole-file forms).
const NOT_ENCAPSULATED = new Set([...NATIVE_LITTLE_ENDIAN, '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2']);

function param(header, name) {
  const match = header.match(new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*("([^"]*)"|[^;]*)`, 'i'));
  if (!match) return null;
  return (match[2] ?? match[1]).trim();
}

function indexOf(bytes, pattern, from = 0) {
  const first = pattern[0];
  const last = bytes.length - pattern.length;
  for (let i = bytes.indexOf(first, from); i !== -1 && i <= last; i = bytes.indexOf(first, i + 1)) {
    let k = 1;
    while (k < pattern.length && bytes[i + k] === pattern[k]) k += 1;
    if (k === pattern.length) return i;
  }
  return -1;
}

// Backwards: the closing delimiter sits at the end of the body, after half a megabyte of pixels.
function lastIndexOf(bytes, pattern, before = bytes.length - pattern.length) {
  const first = pattern[0];
  for (let i = before < 0 ? -1 : bytes.lastIndexOf(first, before); i !== -1; i = i ? bytes.lastIndexOf(first, i - 1) : -1) {
    let k = 1;
    while (k < pattern.length && bytes[i + k] === pattern[k]) k += 1;
    if (k === pattern.length) return i;
  }
  return -1;
}

const ascii = (text) => Uint8Array.from(text, (c) => c.charCodeAt(0));

// The one part of a single-frame multipart/related body: its bytes and its transfer syntax. The bytes are copied
// out, so 16-bit pixels start on an even offset of their own buffer (as the loader's own multipart reader does).
export function singlePart(buffer, contentType) {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  const boundary = param(contentType || '', 'boundary');
  if (!boundary) throw new Error(`Frame response is not multipart (Content-Type: ${contentType}).`);
  const delimiter = ascii(`--${boundary}`);
  const open = indexOf(bytes, delimiter);
  if (open === -1) throw new Error('Frame response does not contain its boundary.');
  const headersEnd = indexOf(bytes, ascii('\r\n\r\n'), open);
  if (headersEnd === -1) throw new Error('Frame response part has no header end.');
  const close = lastIndexOf(bytes, ascii(`\r\n--${boundary}`));
  if (close < headersEnd + 4) throw new Error('Frame response part is not closed by its boundary (truncated?).');
  const headers = new TextDecoder('latin1').decode(bytes.subarray(open + delimiter.length, headersEnd));
  const partType = headers.match(/content-type:\s*([^\r\n]*)/i)?.[1] || '';
  return {
    pixelData: bytes.slice(headersEnd + 4, close),
    transferSyntaxUid: param(partType, 'transfer-syntax') || IMPLICIT_LITTLE_ENDIAN,
  };
}

// One frame; `sample` is its body's size and the page's own timing of it (the link's estimate prefers the
// browser's Resource Timing, which a busy main thread does not stretch).
export async function fetchFrame(url, signal, accept = FRAMES_ACCEPT) {
  const response = await fetch(url, { headers: { Accept: accept }, credentials: 'same-origin', signal });
  if (!response.ok) throw new Error(`Frame: HTTP ${response.status} from ${url}`);
  const headersAt = performance.now();
  const body = await response.arrayBuffer();
  const frame = singlePart(body, response.headers.get('Content-Type'));
  frame.sample = { bytes: body.byteLength, ms: performance.now() - headersAt };
  return frame;
}

const u16 = (b, i) => b[i] | (b[i + 1] << 8);
const u32 = (b, i) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const PIXEL_DATA_TAG = [0xe0, 0x7f, 0x10, 0x00];
const SOP_UID_META_TAG = [0x02, 0x00, 0x03, 0x00, 0x55, 0x49]; // (0002,0003) UI, always explicit little endian

// One single-frame Part 10 instance with native pixels: its SOP instance UID and its pixel bytes (copied out);
// null when the pixels are encapsulated or do not end the file. The pixel data element is found from the end, and
// a match counts only if its length reaches the file's end exactly (pixel values can spell the tag's bytes).
export function nativeInstanceFrame(file) {
  const meta = indexOf(file.subarray(0, Math.min(file.length, 1024)), SOP_UID_META_TAG);
  const sop = sopInstanceUid(file);
  if (meta === -1 || !sop) return null;
  for (let tag = lastIndexOf(file, PIXEL_DATA_TAG); tag > meta; tag = lastIndexOf(file, PIXEL_DATA_TAG, tag - 1)) {
    const explicit = file[tag + 4] === 0x4f && (file[tag + 5] === 0x57 || file[tag + 5] === 0x42); // OW or OB
    const start = tag + (explicit ? 12 : 8);
    const length = u32(file, start - 4);
    if (length > 0 && start + length === file.length) return { sop, pixelData: file.slice(start) };
  }
  return null;
}

const ITEM = [0xfe, 0xff, 0x00, 0xe0];
const SEQUENCE_END = [0xfe, 0xff, 0xdd, 0xe0];
// (7FE0,0010) OB with undefined length: the start of encapsulated pixel data (PS3.5 A.4).
const ENCAPSULATED_PIXEL_DATA = [0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff];
const starts = (bytes, at, pattern) => pattern.every((b, k) => bytes[at + k] === b);

function sopInstanceUid(file) {
  const meta = indexOf(file.subarray(0, Math.min(file.length, 1024)), SOP_UID_META_TAG);
  if (meta === -1) return null;
  return new TextDecoder('latin1').decode(file.subarray(meta + 8, meta + 8 + u16(file, meta + 6))).replace(/[\0 ]+$/, '');
}

// One single-frame Part 10 instance with encapsulated pixels: its SOP instance UID and the frame's bytes (its
// fragments joined, the offset table skipped); null when the file is not in that form. Items are walked from the
// pixel data element to the sequence delimiter, so the result is exact or null.
export function encapsulatedInstanceFrame(file) {
  const sop = sopInstanceUid(file);
  const tag = indexOf(file, ENCAPSULATED_PIXEL_DATA);
  if (!sop || tag === -1) return null;
  let at = tag + ENCAPSULATED_PIXEL_DATA.length;
  const fragments = [];
  let first = true;
  while (at + 8 <= file.length && !starts(file, at, SEQUENCE_END)) {
    if (!starts(file, at, ITEM)) return null;
    const length = u32(file, at + 4);
    if (at + 8 + length > file.length) return null;
    if (!first) fragments.push(file.subarray(at + 8, at + 8 + length));
    first = false; // the first item is the basic offset table
    at += 8 + length;
  }
  if (!fragments.length || !starts(file, at, SEQUENCE_END)) return null;
  const pixelData = new Uint8Array(fragments.reduce((n, f) => n + f.length, 0));
  fragments.reduce((offset, f) => { pixelData.set(f, offset); return offset + f.length; }, 0);
  return { sop, pixelData };
}

// Reads a multipart/related stream part by part (each part announces its Content-Length, as the archive's do).
export class MultipartReader {
  constructor(boundary) {
    this.delimiter = ascii(`--${boundary}`);
    this.buffer = new Uint8Array(1 << 22);
    this.start = 0;
    this.end = 0;
  }

  _append(chunk) {
    if (this.end + chunk.length > this.buffer.length) {
      const live = this.end - this.start;
      const size = Math.max(this.buffer.length, 2 ** Math.ceil(Math.log2(live + chunk.length)));
      const next = size > this.buffer.length ? new Uint8Array(size) : this.buffer;
      next.set(this.buffer.subarray(this.start, this.end), 0);
      this.buffer = next;
      this.start = 0;
      this.end = live;
    }
    this.buffer.set(chunk, this.end);
    this.end += chunk.length;
  }

  // Adds bytes; returns the parts completed by them: {type, body}.
  push(chunk) {
    this._append(chunk);
    const parts = [];
    for (;;) {
      const view = this.buffer.subarray(this.start, this.end);
      const headersEnd = indexOf(view, ascii('\r\n\r\n'));
      if (headersEnd === -1) break;
      if (indexOf(view.subarray(0, this.delimiter.length), this.delimiter) !== 0) {
        throw new Error('Series stream: a part does not start with the boundary.');
      }
      const headers = new TextDecoder('latin1').decode(view.subarray(this.delimiter.length, headersEnd));
      if (/^--/.test(headers)) break; // the closing delimiter
      const length = Number(headers.match(/content-length:\s*(\d+)/i)?.[1]);
      if (!Number.isFinite(length)) throw new Error('Series stream: a part without Content-Length.');
      const bodyEnd = headersEnd + 4 + length;
      if (view.length < bodyEnd + 2) break;
      parts.push({ type: headers.match(/content-type:\s*([^\r\n]*)/i)?.[1] || '', body: view.subarray(headersEnd + 4, bodyEnd) });
      this.start += bodyEnd + 2; // the CR LF before the next delimiter
    }
    return parts;
  }
}

// The pixels of a whole series, by frame URL: the opening frames as WADO-RS frames, all others from one series
// retrieve; anything the stream did not deliver natively falls back to its frame URL. `compressed()` is asked
// as each request starts (so the stream follows what the opening frame taught of the link: no extra round trip),
// and `onSample(url, {bytes, ms})` is told of each response once it has arrived whole. `started` ({url, frame}) is
// a frame request the page head made before the metadata had arrived: taken instead of asking again.
export class SeriesSource {
  constructor(seriesBase, frames, {
    first = [], fetchOne = fetchFrame, fetchImpl = (...a) => fetch(...a), compressed = () => true, onSample = () => {},
    started = null,
  } = {}) {
    this.compressed = compressed;
    this.onSample = onSample;
    this.started = started;
    this.controller = new AbortController();
    this.settled = new Set();
    this.settlers = new Map();
    this.promises = new Map(frames.map(({ url }) => [url, new Promise((resolve, reject) => {
      this.settlers.set(url, { resolve, reject });
    })]));
    for (const promise of this.promises.values()) promise.catch(() => {});
    const bySop = new Map();
    for (const { url, instance } of frames) {
      const sop = instance['00080018']?.Value?.[0];
      const count = Number(instance['00280008']?.Value?.[0] ?? 1) || 1;
      if (count === 1) bySop.set(sop, url);
    }
    this.fetchOne = fetchOne;
    this.pending = new Set();
    // The stream waits for the opening frames: sent together, the server shares itself between them, and the
    // reader waits for the one image they need first.
    const opening = Promise.all(first.map((url) => this._frame(url, { last: false })));
    this.done = opening.then(() => this._stream(seriesBase, bySop, fetchImpl))
      .catch(() => {})
      .then(() => {
        this.streamDone = true;
      })
      .then(() => Promise.all(frames.filter(({ url }) => !this.settled.has(url) && !this.pending.has(url))
        .map(({ url }) => this._frame(url, { last: true }))));
  }

  _settle(url, ok, value) {
    if (this.settled.has(url)) return;
    this.settled.add(url);
    this.settlers.get(url)[ok ? 'resolve' : 'reject'](value);
  }

  // A frame of its own; unless it is the `last` try, a failure leaves the frame to the stream and what follows it.
  _frame(url, { last }) {
    this.pending.add(url);
    const started = this.started?.url === url ? this.started.frame : null;
    this.started = null;
    return (started || this.fetchOne(url, this.controller.signal, this.compressed() ? FRAMES_ACCEPT : FRAMES_AS_STORED)).then(
      (frame) => {
        this.onSample(url, frame.sample);
        this._settle(url, true, frame);
      },
      (error) => {
        this.pending.delete(url);
        if (last || this.streamDone) this._settle(url, false, error);
      },
    );
  }

  async _stream(url, bySop, fetchImpl) {
    if (this.controller.signal.aborted) return;
    const response = await fetchImpl(url, {
      headers: { Accept: this.compressed() ? INSTANCES_ACCEPT : INSTANCES_AS_STORED },
      credentials: 'same-origin',
      signal: this.controller.signal,
    });
    if (!response.ok) throw new Error(`Series: HTTP ${response.status} from ${url}`);
    const boundary = param(response.headers.get('Content-Type') || '', 'boundary');
    if (!boundary || !response.body) throw new Error('Series: not a multipart stream.');
    const reader = new MultipartReader(boundary);
    const stream = response.body.getReader();
    const headersAt = performance.now();
    let bytes = 0;
    for (;;) {
      const { done, value } = await stream.read();
      if (done) break;
      bytes += value.length;
      for (const part of reader.push(value)) this._part(part, bySop);
    }
    this.onSample(url, { bytes, ms: performance.now() - headersAt });
  }

  _part({ type, body }, bySop) {
    const transferSyntaxUid = param(type, 'transfer-syntax') || IMPLICIT_LITTLE_ENDIAN;
    let frame = null;
    if (NATIVE_LITTLE_ENDIAN.has(transferSyntaxUid)) frame = nativeInstanceFrame(body);
    else if (!NOT_ENCAPSULATED.has(transferSyntaxUid)) frame = encapsulatedInstanceFrame(body);
    const url = frame && bySop.get(frame.sop);
    if (url) this._settle(url, true, { pixelData: frame.pixelData, transferSyntaxUid });
  }

  has(url) {
    return this.promises.has(url);
  }

  get(url) {
    return this.promises.get(url) ?? Promise.reject(new Error(`Frame not in this series: ${url}`));
  }

  stop() {
    this.controller.abort();
    for (const url of this.promises.keys()) this._settle(url, false, new Error('stopped'));
  }
}
