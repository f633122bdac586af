// Starts Cornerstone3D once per page: the rendering core and the DICOM image loader (wadors:).
import { init as coreInit, getRenderingCapabilities } from '@cornerstonejs/core';
import { init as loaderInit } from '@cornerstonejs/dicom-image-loader';

let started = false;

function decodeWorkers() {
  // Decoding runs in workers: at least two, so one slow frame never holds up the next; up to cores - 1.
  const cores = navigator.hardwareConcurrency || 2;
  return Math.max(2, Math.min(4, cores - 1));
}

export function startCornerstone() {
  if (!started) {
    // Without a GPU, WebGL runs in a software rasterizer and reading its frames back costs more than Cornerstone's
    // own CPU path (measured: most of the main thread's time on first open went to drawImage from SwiftShader).
    coreInit({ rendering: { useCPURendering: Boolean(getRenderingCapabilities().softwareRasterizer) } });
    loaderInit({ maxWebWorkers: decodeWorkers() });
    started = true;
  }
}
