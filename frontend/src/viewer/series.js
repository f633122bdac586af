// One series from DICOMweb: its metadata once (WADO-RS), registered for the wadors: loader, as image ids in slice order.
import { wadors } from '@cornerstonejs/dicom-image-loader';

const TAG = {
  sopInstanceUid: '00080018',
  instanceNumber: '00200013',
  imagePosition: '00200032',
  imageOrientation: '00200037',
  numberOfFrames: '00280008',
};

function value(instance, tag) {
  return instance[tag]?.Value;
}

function sliceNormal(orientation) {
  const [r0, r1, r2, c0, c1, c2] = orientation.map(Number);
  return [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
}

// Slice order is the projection of ImagePositionPatient on the slice normal (the archive's own rule);
// InstanceNumber only when geometry is missing.
export function sliceSortKey(instance) {
  const position = value(instance, TAG.imagePosition);
  const orientation = value(instance, TAG.imageOrientation);
  if (position?.length === 3 && orientation?.length === 6) {
    const normal = sliceNormal(orientation);
    return position.reduce((sum, p, i) => sum + Number(p) * normal[i], 0);
  }
  return Number(value(instance, TAG.instanceNumber)?.[0] ?? 0);
}

export function seriesUrl({ root, studyUid, seriesUid }) {
  return `${root.replace(/\/$/, '')}/studies/${studyUid}/series/${seriesUid}`;
}

export async function fetchSeriesMetadata(series, { signal } = {}) {
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
