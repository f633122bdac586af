// One series from DICOMweb: its metadata once (WADO-RS), registered for the wadors: loader, as image ids in slice order.
import { wadors } from '@cornerstonejs/dicom-image-loader';

import { orderedFrames } from './order.js';

export function seriesUrl({ root, studyUid, seriesUid }) {
  return `${root.replace(/\/$/, '')}/studies/${studyUid}/series/${seriesUid}`;
}

const sameUrl = (a, b) => new URL(a, window.location.href).href === new URL(b, window.location.href).href;

// The page may have asked for the metadata in an inline script, before this bundle was even parsed.
function earlyMetadata(url) {
  const early = window.radcurateEarlyMetadata;
  return early && sameUrl(early.url, url) ? early.promise : null;
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
  return orderedFrames(base, instances).map(({ url, instance }) => {
    const imageId = `wadors:${url}`;
    wadors.metaDataManager.add(imageId, instance);
    return imageId;
  });
}

// The frames the page head started fetching for this series (early-frames.js), taken once; null when none.
export async function takeEarlyFrames(series) {
  const early = window.radcurateEarlyMetadata;
  if (!early?.frames || early.taken || !sameUrl(early.url, `${seriesUrl(series)}/metadata`)) return null;
  early.taken = true;
  return early.frames;
}
