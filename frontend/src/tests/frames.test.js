// Unit tests of the page's own pixel requests (node --test): multipart frames and streams, Part 10 pixel data,
// the series source with its fallbacks.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  encapsulatedInstanceFrame, FRAMES_ACCEPT, FRAMES_AS_STORED, INSTANCES_ACCEPT, INSTANCES_AS_STORED, MultipartReader,
  nativeInstanceFrame, SeriesSource, singlePart,
} from '../viewer/frames.js';
import { orderedFrames } from '../viewer/order.js';

const enc = (text) => new TextEncoder().encode(text);

function body(boundary, pixels, partType) {
  const head = enc(`--${boundary}\r\nContent-Type: ${partType}\r\nContent-Length: ${pixels.length}\r\n\r\n`);
  const tail = enc(`\r\n--${boundary}--\r\n`);
  const out = new Uint8Array(head.length + pixels.length + tail.length);
  out.set(head);
  out.set(pixels, head.length);
  out.set(tail, head.length + pixels.length);
  return out.buffer;
}

test('a frame part comes out byte for byte, with its transfer syntax, even when the pixels hold CR LF and dashes', () => {
  const pixels = Uint8Array.from([13, 10, 45, 45, 0, 255, 13, 10, 45, 45, 98, 7]);
  const part = singlePart(body('abc', pixels, 'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1'),
    'multipart/related; type="application/octet-stream"; boundary=abc');
  assert.deepEqual([...part.pixelData], [...pixels]);
  assert.equal(part.transferSyntaxUid, '1.2.840.10008.1.2.1');
  assert.equal(part.pixelData.byteOffset, 0); // its own buffer: 16-bit views need an even offset
});

test('a quoted boundary is read, and a part without transfer syntax is implicit little endian', () => {
  const part = singlePart(body('x y', Uint8Array.from([1, 2]), 'application/octet-stream'),
    'multipart/related; boundary="x y"; type="application/octet-stream"');
  assert.deepEqual([...part.pixelData], [1, 2]);
  assert.equal(part.transferSyntaxUid, '1.2.840.10008.1.2');
});

test('a body that is not multipart, or cut short, is refused with a reason', () => {
  assert.throws(() => singlePart(new ArrayBuffer(4), 'application/octet-stream'), /not multipart/);
  const cut = body('abc', Uint8Array.from([1, 2, 3]), 'application/octet-stream').slice(0, -12);
  assert.throws(() => singlePart(cut, 'multipart/related; boundary=abc'), /not closed/);
});

// A Part 10 file as far as the reader looks: preamble, DICM, the meta SOP instance UID, then native pixel data.
function part10(sop, pixels, { explicit = true } = {}) {
  const uid = sop.length % 2 ? `${sop}\0` : sop;
  const meta = [0x02, 0x00, 0x03, 0x00, 0x55, 0x49, uid.length, 0, ...enc(uid)];
  const len = [pixels.length & 0xff, (pixels.length >> 8) & 0xff, (pixels.length >> 16) & 0xff, pixels.length >>> 24];
  const tag = explicit ? [0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0, ...len] : [0xe0, 0x7f, 0x10, 0x00, ...len];
  return Uint8Array.from([...new Uint8Array(128), ...enc('DICM'), ...meta, 0x28, 0, 0x10, 0, 0x55, 0x53, 2, 0, 4, 0,
    ...tag, ...pixels]);
}

function multipart(boundary, files, type = 'application/dicom; transfer-syntax=1.2.840.10008.1.2.1') {
  const chunks = [];
  for (const file of files) {
    chunks.push(enc(`--${boundary}\r\nContent-Type: ${type}\r\nContent-Length: ${file.length}\r\n\r\n`), file, enc('\r\n'));
  }
  chunks.push(enc(`--${boundary}--\r\n`));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((at, c) => { out.set(c, at); return at + c.length; }, 0);
  return out;
}

test('native pixels come out of a Part 10 file even when pixel values spell the pixel data tag', () => {
  const pixels = Uint8Array.from([1, 2, 0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0, 7, 0, 0, 0, 9, 9]);
  for (const explicit of [true, false]) {
    const frame = nativeInstanceFrame(part10('1.2.3', pixels, { explicit }));
    assert.equal(frame.sop, '1.2.3');
    assert.deepEqual([...frame.pixelData], [...pixels]);
  }
  const encapsulated = part10('1.2.3', pixels);
  encapsulated.set([0xff, 0xff, 0xff, 0xff], encapsulated.length - pixels.length - 4);
  assert.equal(nativeInstanceFrame(encapsulated), null);
});

const u32le = (n) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const item = (bytes) => [0xfe, 0xff, 0x00, 0xe0, ...u32le(bytes.length), ...bytes];

// A Part 10 file with encapsulated pixel data: an empty offset table, then the frame's fragments.
function encapsulatedPart10(sop, fragments) {
  const uid = sop.length % 2 ? `${sop}\0` : sop;
  const meta = [0x02, 0x00, 0x03, 0x00, 0x55, 0x49, uid.length, 0, ...enc(uid)];
  const pixels = [0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff, ...item([]),
    ...fragments.flatMap((f) => item(f)), 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0];
  return Uint8Array.from([...new Uint8Array(128), ...enc('DICM'), ...meta, ...pixels]);
}

test('a compressed instance gives its frame: the fragments joined, the offset table left out', () => {
  const file = encapsulatedPart10('1.2.33', [[0xff, 0xd8, 1, 2], [3, 0xff, 0xd9, 0]]);
  const frame = encapsulatedInstanceFrame(file);
  assert.equal(frame.sop, '1.2.33');
  assert.deepEqual([...frame.pixelData], [0xff, 0xd8, 1, 2, 3, 0xff, 0xd9, 0]);
  assert.equal(encapsulatedInstanceFrame(file.subarray(0, file.length - 10)), null); // cut short
  assert.equal(encapsulatedInstanceFrame(part10('1.2.3', Uint8Array.from([1, 2]))), null); // native
});

test('a series stream of JPEG-LS instances settles each frame with its compressed bytes and syntax', async () => {
  const instances = [instance('9.1', 0), instance('9.2', 1)];
  const frames = orderedFrames('http://h/s', instances);
  const files = [encapsulatedPart10('9.1', [[1, 2]]), encapsulatedPart10('9.2', [[3, 4]])];
  const stream = multipart('jb', files, 'application/dicom; transfer-syntax=1.2.840.10008.1.2.4.80');
  const fetchImpl = async () => new Response(stream, {
    headers: { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=jb' },
  });
  const source = new SeriesSource('http://h/s', frames, { fetchImpl, fetchOne: async () => { throw new Error('no'); } });
  const got = await Promise.all(frames.map(({ url }) => source.get(url)));
  assert.deepEqual(got.map((f) => [...f.pixelData]), [[1, 2], [3, 4]]);
  assert.deepEqual(got.map((f) => f.transferSyntaxUid), ['1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.80']);
});

test('the multipart reader gives whole parts however the stream is cut', () => {
  const files = [part10('1.1', Uint8Array.from([1, 2, 3, 4])), part10('1.22', Uint8Array.from([5, 6]))];
  const body = multipart('bnd', files);
  for (const size of [1, 7, 64, body.length]) {
    const reader = new MultipartReader('bnd');
    const parts = [];
    for (let i = 0; i < body.length; i += size) parts.push(...reader.push(body.subarray(i, i + size)));
    assert.deepEqual(parts.map((p) => nativeInstanceFrame(p.body).sop), ['1.1', '1.22'], `chunks of ${size}`);
    assert.match(parts[0].type, /transfer-syntax=1\.2\.840\.10008\.1\.2\.1/);
  }
});

const instance = (sop, z, frames) => ({
  '00080018': { Value: [sop] },
  '00200032': { Value: [0, 0, z] },
  '00200037': { Value: [1, 0, 0, 0, 1, 0] },
  ...(frames ? { '00280008': { Value: [frames] } } : {}),
});

function streamResponse(bytes, boundary, size = 5) {
  const body = new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
      controller.close();
    },
  });
  return new Response(body, { headers: { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}` } });
}

test('a series comes from one stream plus the opening frame; what the stream lacks is asked for frame by frame', async () => {
  const frames = orderedFrames('http://h/s', [instance('a', 0), instance('b', 5), instance('c', 10), instance('m', 15, 2)]);
  const urls = frames.map((f) => f.url);
  const asked = [];
  const streamed = [];
  const source = new SeriesSource('http://h/s', frames, {
    first: [urls[1]],
    fetchOne: async (url) => { asked.push(url); return { pixelData: `frame ${url}` }; },
    fetchImpl: async (url, init) => {
      streamed.push([url, init.headers.Accept]);
      // 'c' is compressed in the archive: the stream cannot give it natively.
      const native = multipart('q', [part10('a', Uint8Array.from([1, 1])), part10('b', Uint8Array.from([2, 2]))]);
      return streamResponse(native, 'q');
    },
  });
  const a = await source.get(urls[0]);
  assert.deepEqual([...a.pixelData], [1, 1]);
  assert.equal(a.transferSyntaxUid, '1.2.840.10008.1.2.1');
  await source.done;
  // JPEG-LS asked for first, anything as stored second (the archive's Accept negotiation picks).
  assert.deepEqual(streamed, [['http://h/s', INSTANCES_ACCEPT]]);
  assert.match(INSTANCES_ACCEPT, /^multipart\/related; type="application\/dicom"; transfer-syntax=1\.2\.840\.10008\.1\.2\.4\.80, .*transfer-syntax=\*; q=0\.5$/);
  assert.equal((await source.get(urls[1])).pixelData, `frame ${urls[1]}`); // the opening frame came first
  // c and both frames of the multi-frame m come one by one; a and b only from the stream.
  assert.deepEqual(asked.sort(), [urls[1], urls[2], urls[3], urls[4]].sort());
});

test('a failed stream leaves every frame to its own request; a stopped source asks for nothing more', async () => {
  const frames = orderedFrames('http://h/s', [instance('a', 0), instance('b', 5)]);
  const asked = [];
  const source = new SeriesSource('http://h/s', frames, {
    fetchOne: async (url) => { asked.push(url); return { pixelData: url }; },
    fetchImpl: async () => new Response('no', { status: 500 }),
  });
  await source.done;
  assert.deepEqual(asked, frames.map((f) => f.url));
  const stopped = new SeriesSource('http://h/s', frames, {
    fetchOne: async () => { throw new Error('not expected'); },
    fetchImpl: (url, init) => new Promise((resolve, reject) => init.signal.addEventListener('abort', () => reject(new Error('aborted')))),
  });
  stopped.stop();
  await assert.rejects(stopped.get(frames[0].url), /stopped/);
});

test('frames are listed in slice order by geometry, one per frame of a multi-frame instance', () => {
  const urls = orderedFrames('http://h/s', [instance('b', 10), instance('a', -5, 2), instance('c', 0)]).map((f) => f.url);
  assert.deepEqual(urls, ['http://h/s/instances/a/frames/1', 'http://h/s/instances/a/frames/2',
    'http://h/s/instances/c/frames/1', 'http://h/s/instances/b/frames/1']);
});

test('each request asks for what the link allows when it starts: the opening frame teaches the stream', async () => {
  const frames = orderedFrames('http://h/s', [instance('a', 0), instance('b', 5)]);
  const urls = frames.map((f) => f.url);
  let fast = false;
  const asked = [];
  const samples = [];
  const source = new SeriesSource('http://h/s', frames, {
    first: [urls[1]],
    compressed: () => !fast,
    onSample: (url, sample) => {
      samples.push([url, sample.bytes]);
      fast = true; // the opening frame came quickly: a fast link
    },
    fetchOne: async (url, signal, accept) => {
      asked.push([url, accept]);
      return { pixelData: Uint8Array.from([9]), sample: { bytes: 524288, ms: 1 } };
    },
    fetchImpl: async (url, init) => {
      asked.push([url, init.headers.Accept]);
      return streamResponse(multipart('q', [part10('a', Uint8Array.from([1, 1]))]), 'q');
    },
  });
  await source.done;
  assert.deepEqual(asked, [[urls[1], FRAMES_ACCEPT], ['http://h/s', INSTANCES_AS_STORED]]);
  assert.equal(FRAMES_AS_STORED, 'multipart/related; type="application/octet-stream"; transfer-syntax=*');
  // The stream's own sample: every byte of its body, once it has ended.
  assert.equal(samples.length, 2);
  assert.deepEqual(samples[0], [urls[1], 524288]);
  assert.equal(samples[1][0], 'http://h/s');
  assert.ok(samples[1][1] > 0);
});

test('a frame the page head started before the metadata is taken, not asked for again', async () => {
  const frames = orderedFrames('http://h/s', [instance('a', 0), instance('b', 5)]);
  const urls = frames.map((f) => f.url);
  const asked = [];
  const source = new SeriesSource('http://h/s', frames, {
    first: [urls[1]],
    started: { url: urls[1], frame: Promise.resolve({ pixelData: 'early' }) },
    fetchOne: async (url) => { asked.push(url); return { pixelData: url }; },
    fetchImpl: async () => new Response('no', { status: 500 }),
  });
  await source.done;
  assert.equal((await source.get(urls[1])).pixelData, 'early');
  assert.deepEqual(asked, [urls[0]]); // only what the failed stream left
});
