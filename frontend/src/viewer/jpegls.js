// JPEG-LS frames decoded on the page itself with CharLS, the WebAssembly build Cornerstone's decode workers use (same
// file, so one download serves both): only for the opening slice's preview, drawn before the viewer has started.
import charlsFactory from '@cornerstonejs/codec-charls/decodewasmjs';
import wasmUrl from '@cornerstonejs/codec-charls/decodewasm?url';

let codec = null;

// Starts fetching and compiling the codec (once); the page head calls it while the metadata is on its way.
export function loadJpegLs() {
  codec ??= charlsFactory({ locateFile: (file) => (file.endsWith('.wasm') ? wasmUrl : file) });
  return codec;
}

// The frame's pixels as little-endian bytes in a buffer of their own (copied out of the codec's memory).
export async function decodeJpegLs(bytes) {
  const instance = await loadJpegLs();
  const decoder = new instance.JpegLSDecoder();
  try {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.decode();
    return decoder.getDecodedBuffer().slice();
  } finally {
    decoder.delete();
  }
}
