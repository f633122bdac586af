// The CT value (HU) under the cursor on a stack viewport.
import { utilities } from '@cornerstonejs/core';

export function huAtCanvasPoint(viewport, canvasPoint) {
  const image = viewport.getCornerstoneImage?.();
  const imageId = viewport.getCurrentImageId?.();
  if (!image || !imageId) return null;
  const world = viewport.canvasToWorld(canvasPoint);
  const [x, y] = utilities.worldToImageCoords(imageId, world) || [];
  const col = Math.floor(x);
  const row = Math.floor(y);
  const hu = huAtPixel(image, col, row);
  return hu === null ? null : { col, row, hu: Math.round(hu) };
}

// The CT value of one pixel of a Cornerstone image; null outside it.
export function huAtPixel(image, col, row) {
  if (!(col >= 0 && row >= 0 && col < image.columns && row < image.rows)) return null;
  const stored = image.getPixelData()[row * image.columns + col];
  // The loader applies the modality LUT in advance ("prescaling") unless the data cannot hold it.
  return image.preScale?.scaled ? stored : stored * (image.slope ?? 1) + (image.intercept ?? 0);
}
