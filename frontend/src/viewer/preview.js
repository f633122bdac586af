// The opening slice drawn straight onto a canvas, in the default window, while Cornerstone is still starting: the
// reader sees the image as soon as its bytes are here; the viewer replaces it with its own first render.
// No Cornerstone import (the page head runs this); native 16-bit grey images only, anything else waits for the viewer.
import { TAG, value } from './order.js';

const num = (instance, tag, fallback) => Number(value(instance, tag)?.[0] ?? fallback);

// Grey levels (RGBA) of 16-bit stored pixels through the modality LUT and a window (width/level in HU).
export function windowedRgba(pixelData, instance, { width, level }) {
  const signed = num(instance, TAG.pixelRepresentation, 0) === 1;
  const values = signed
    ? new Int16Array(pixelData.buffer, pixelData.byteOffset, pixelData.byteLength >> 1)
    : new Uint16Array(pixelData.buffer, pixelData.byteOffset, pixelData.byteLength >> 1);
  const slope = num(instance, TAG.rescaleSlope, 1);
  const intercept = num(instance, TAG.rescaleIntercept, 0);
  const invert = value(instance, TAG.photometric)?.[0] === 'MONOCHROME1';
  const low = level - width / 2;
  const rgba = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i += 1) {
    const grey = ((values[i] * slope + intercept - low) / width) * 255;
    const g = invert ? 255 - grey : grey;
    rgba[i * 4] = g;
    rgba[i * 4 + 1] = g;
    rgba[i * 4 + 2] = g;
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

export function previewable(instance, pixelData) {
  const rows = num(instance, TAG.rows, 0);
  const columns = num(instance, TAG.columns, 0);
  return num(instance, TAG.bitsAllocated, 0) === 16 && num(instance, TAG.samplesPerPixel, 1) === 1
    && rows * columns * 2 === pixelData.byteLength && pixelData.byteOffset % 2 === 0;
}

// Draws the slice fitted and centered in `stage` as the viewer would; returns the canvas, or null if it cannot.
export function drawPreview(stage, instance, pixelData, voi) {
  if (!stage || !previewable(instance, pixelData)) return null;
  const rows = num(instance, TAG.rows, 0);
  const columns = num(instance, TAG.columns, 0);
  const [rowSpacing, columnSpacing] = (value(instance, TAG.pixelSpacing) || [1, 1]).map(Number);
  const image = new OffscreenCanvas(columns, rows);
  image.getContext('2d').putImageData(new ImageData(windowedRgba(pixelData, instance, voi), columns, rows), 0, 0);
  const ratio = window.devicePixelRatio || 1;
  const canvas = document.createElement('canvas');
  canvas.dataset.preview = 'opening slice';
  canvas.width = Math.round(stage.clientWidth * ratio);
  canvas.height = Math.round(stage.clientHeight * ratio);
  const scale = Math.min(canvas.width / (columns * columnSpacing), canvas.height / (rows * rowSpacing));
  const w = columns * columnSpacing * scale;
  const h = rows * rowSpacing * scale;
  canvas.getContext('2d').drawImage(image, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
  stage.append(canvas);
  return canvas;
}
