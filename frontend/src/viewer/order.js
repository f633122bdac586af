// Pure ordering rules of the viewer: slices by geometry, prefetch center-out (no Cornerstone import, unit-tested in Node).
export const TAG = {
  sopInstanceUid: '00080018',
  instanceNumber: '00200013',
  imagePosition: '00200032',
  imageOrientation: '00200037',
  numberOfFrames: '00280008',
  samplesPerPixel: '00280002',
  photometric: '00280004',
  rows: '00280010',
  columns: '00280011',
  pixelSpacing: '00280030',
  bitsAllocated: '00280100',
  pixelRepresentation: '00280103',
  rescaleIntercept: '00281052',
  rescaleSlope: '00281053',
};

export function value(instance, tag) {
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

// Every frame of a series in slice order: its WADO-RS frame URL under `seriesBase` and its instance's metadata.
export function orderedFrames(seriesBase, instances) {
  const ordered = [...instances].sort((a, b) => sliceSortKey(a) - sliceSortKey(b));
  const frames = [];
  for (const instance of ordered) {
    const sop = value(instance, TAG.sopInstanceUid)?.[0];
    const count = Number(value(instance, TAG.numberOfFrames)?.[0] ?? 1) || 1;
    for (let frame = 1; frame <= count; frame += 1) {
      frames.push({ url: `${seriesBase}/instances/${sop}/frames/${frame}`, instance });
    }
  }
  return frames;
}

// The slice a study opens on: the middle of the head, where most findings are.
export function openingSlice(count) {
  return Math.floor(count / 2);
}

// Center-out from the slice on screen, so the slices a reader scrolls to next arrive first.
export function prefetchOrder(count, start) {
  const order = [];
  for (let d = 0; order.length < count; d += 1) {
    if (start + d < count) order.push(start + d);
    if (d > 0 && start - d >= 0) order.push(start - d);
  }
  return order;
}

