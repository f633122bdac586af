// A series' thumbnail for the series panel: its middle slice in the brain window. Fetched as stored (one metadata and
// one frame request per series), and only once the study's first image is on screen, so the panel never delays it.
// Native 16-bit grey frames only (the preview's rules); anything else keeps its label alone.
import { FRAMES_AS_STORED, singlePart } from './frames.js';
import { openingSlice, orderedFrames, TAG, value } from './order.js';
import { DEFAULT_PRESET } from './presets.js';
import { previewable, windowedRgba } from './preview.js';
import { fetchSeriesMetadata, seriesUrl } from './series.js';

export async function drawSeriesThumbnail(canvas, series) {
  const frames = orderedFrames(new URL(seriesUrl(series), window.location.href).href, await fetchSeriesMetadata(series));
  if (!frames.length) return false;
  const { url, instance } = frames[openingSlice(frames.length)];
  const response = await fetch(url, { headers: { Accept: FRAMES_AS_STORED }, credentials: 'same-origin' });
  if (!response.ok) return false;
  const { pixelData } = singlePart(await response.arrayBuffer(), response.headers.get('Content-Type'));
  if (!previewable(instance, pixelData)) return false;
  const rows = Number(value(instance, TAG.rows)[0]);
  const columns = Number(value(instance, TAG.columns)[0]);
  const image = await createImageBitmap(new ImageData(windowedRgba(pixelData, instance, DEFAULT_PRESET), columns, rows));
  canvas.getContext('2d').drawImage(image, 0, 0, canvas.width, canvas.height);
  canvas.dataset.drawn = 'true';
  return true;
}
