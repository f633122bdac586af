// Starts Cornerstone3D once per page: the rendering core and the DICOM image loader (wadors:).
import { init as coreInit } from '@cornerstonejs/core';
import { init as loaderInit } from '@cornerstonejs/dicom-image-loader';

let started = false;

function decodeWorkers() {
  // Decoding runs in workers; keep one core for the page itself.
  const cores = navigator.hardwareConcurrency || 2;
  return Math.max(1, Math.min(4, cores - 1));
}

export function startCornerstone() {
  if (!started) {
    coreInit();
    loaderInit({ maxWebWorkers: decodeWorkers() });
    started = true;
  }
}
