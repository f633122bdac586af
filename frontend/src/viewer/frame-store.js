// Frames the page fetched itself (frames.js), handed to Cornerstone's wadors loader through its compressed-frame
// registry: the loader asks metadata for "compressedFrameData" before it goes to the network.
import { metaData } from '@cornerstonejs/core';

const COMPRESSED_FRAME_DATA = 'compressedFrameData';
// Above the loader's own providers, which only know frames parsed from Part 10 files.
const PRIORITY = 10_000;
const frames = new Map();
let registered = false;

function provider(type, imageId) {
  return type === COMPRESSED_FRAME_DATA ? frames.get(imageId) : undefined;
}

export function registerFrameStore() {
  if (!registered) metaData.addProvider(provider, PRIORITY);
  registered = true;
}

// Held only until Cornerstone has made its image from the bytes (then its cache has them).
export function holdFrame(imageId, frame) {
  frames.set(imageId, frame);
}

export function releaseFrame(imageId) {
  frames.delete(imageId);
}
