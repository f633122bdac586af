// One series from DICOMweb: its metadata once (WADO-RS), registered for the wadors: loader, as image ids in slice order.
import { wadors } from '@cornerstonejs/dicom-image-loader';

import { sliceSortKey, TAG, value } from './order.js';

export function seriesUrl({ root, studyUid, seriesUid }) {
  return `${root.replace(/\/$/, '')}/studies/${studyUid}/series/${seriesUid}`;
}

// The page may have asked for the metadata in an inline script, before this bundle was even parsed.
function earlyMetadata(url) {
  const early = window.radcurateEarlyMetadata;
  return early && new URL(early.url, window.location.href).href === new URL(url, window.location.href).href
    ? early.promise
    : null;
}

export async function fetchSeriesMetadata(series, { signal } = {}) {
  const early = await earlyMetadata(`${seriesUrl(series)}/metadata`);
  if (early) return early;
  const response = await fetch(`${seriesUrl(series)}/metadata`, {
    headers: { Accept: 'application/dicom+json' },
    credentials: 'same-origin',
    signal,
  });
  if (!response.ok) {
    throw new Error(`Series metadata: HTTP ${response.status} from ${seriesUrl(series)}/metadata`);
  }
  return response.json();
}

// Registers each instance's metadata under its wadors: image id (one id per frame) and returns the ids in slice order.
export function registerImageIds(series, instances) {
  const base = new URL(seriesUrl(series), window.location.href).href;
  const ordered = [...instances].sort((a, b) => sliceSortKey(a) - sliceSortKey(b));
  const imageIds = [];
  for (const instance of ordered) {
    const sop = value(instance, TAG.sopInstanceUid)?.[0];
    const frames = Number(value(instance, TAG.numberOfFrames)?.[0] ?? 1) || 1;
    for (let frame = 1; frame <= frames; frame += 1) {
      const imageId = `wadors:${base}/instances/${sop}/frames/${frame}`;
      wadors.metaDataManager.add(imageId, instance);
      imageIds.push(imageId);
    }
  }
  return imageIds;
}

export async function loadSeriesImageIds(series, options) {
  return registerImageIds(series, await fetchSeriesMetadata(series, options));
}
