// Slice indices between two series of one study (thin and thick reconstructions, two acquisitions): a read's marks
// are indices of the study's default series, and another series shows them at its slice nearest in position.
// Pure (no Cornerstone import), unit-tested in Node.
import { orderedFrames, sliceSortKey } from './order.js';

// Each frame's position along the slice normal, in the viewer's slice order.
export function slicePositions(instances) {
  return orderedFrames('', instances).map(({ instance }) => sliceSortKey(instance));
}

// The index in `positions` (ascending) nearest to `position`.
export function nearestSlice(positions, position) {
  let lo = 0;
  let hi = positions.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (positions[mid] < position) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(positions[lo - 1] - position) <= Math.abs(positions[lo] - position)) return lo - 1;
  return lo;
}

// Slice `index` of the series at `from` as an index of the series at `to` (the same index when either is unknown).
export function mapSlice(from, to, index) {
  if (!from?.length || !to?.length || from === to) return index;
  const clamped = Math.max(0, Math.min(from.length - 1, index));
  return nearestSlice(to, from[clamped]);
}

// Marks ({from, to, ...} in the default series' indices) as the series on screen shows them.
export function marksOn(marks, from, to) {
  return marks.map((mark) => {
    const a = mapSlice(from, to, mark.from);
    const b = mapSlice(from, to, mark.to);
    return { ...mark, from: Math.min(a, b), to: Math.max(a, b) };
  });
}
