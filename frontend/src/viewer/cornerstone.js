// Starts Cornerstone3D once per page: rendering core, the DICOM image loader (wadors:) and the tools.
import { init as coreInit } from '@cornerstonejs/core';
import { init as loaderInit } from '@cornerstonejs/dicom-image-loader';
import {
  addTool,
  init as toolsInit,
  PanTool,
  StackScrollTool,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';

let started = null;

function decodeWorkers() {
  // Decoding runs in workers; keep one core for the page itself.
  const cores = navigator.hardwareConcurrency || 2;
  return Math.max(1, Math.min(4, cores - 1));
}

export function startCornerstone() {
  if (!started) {
    coreInit();
    loaderInit({ maxWebWorkers: decodeWorkers() });
    toolsInit();
    for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool]) {
      addTool(tool);
    }
    started = true;
  }
  return started;
}
