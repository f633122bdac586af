// Starts fetching the series' pixels (the middle slice on its own, the whole series in one stream) as soon as the
// metadata requested in the page head arrives: the pixels travel while the viewer bundle (3 MB of Cornerstone) is
// still being compiled. Tiny on purpose (no Cornerstone): the viewer takes them over through takeEarlyFrames.
import { SeriesSource } from '../viewer/frames.js';
import { openingSlice, orderedFrames } from '../viewer/order.js';

const early = window.radcurateEarlyMetadata;
if (early) {
  early.frames = early.promise.then((instances) => {
    if (!instances?.length) return null;
    const base = new URL(early.url.replace(/\/metadata$/, ''), window.location.href).href;
    const frames = orderedFrames(base, instances);
    return new SeriesSource(base, frames, { first: [frames[openingSlice(frames.length)].url] });
  });
}
