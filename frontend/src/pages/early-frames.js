// Starts fetching the series' pixels (the middle slice on its own, the whole series in one stream) as soon as the
// metadata requested in the page head arrives: the pixels travel while the viewer bundle (3 MB of Cornerstone) is
// still being compiled, and the opening slice is drawn at once (preview.js). Tiny on purpose (no Cornerstone): the
// viewer takes the pixels over through takeEarlyFrames and replaces the preview with its own first render.
import { SeriesSource } from '../viewer/frames.js';
import { openingSlice, orderedFrames } from '../viewer/order.js';
import { DEFAULT_PRESET } from '../viewer/presets.js';
import { drawPreview } from '../viewer/preview.js';

const early = window.radcurateEarlyMetadata;
if (early) {
  early.frames = early.promise.then((instances) => {
    if (!instances?.length) return null;
    const base = new URL(early.url.replace(/\/metadata$/, ''), window.location.href).href;
    const frames = orderedFrames(base, instances);
    const opening = frames[openingSlice(frames.length)];
    const source = new SeriesSource(base, frames, { first: [opening.url] });
    // Unless the viewer is quicker: then its own render is the first image.
    source.get(opening.url).then(({ pixelData }) => {
      const stage = document.querySelector('[data-viewer]');
      if (stage?.dataset.firstImage) return;
      if (drawPreview(stage?.parentElement, opening.instance, pixelData, DEFAULT_PRESET)) early.previewAt = performance.now();
    }, () => {});
    return source;
  });
}
