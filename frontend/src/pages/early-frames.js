// Starts fetching the series' metadata, then its pixels (the middle slice on its own, the whole series in one
// stream): they travel while the viewer bundle (3 MB of Cornerstone) is still being compiled, and the opening slice
// is drawn at once (preview.js). Tiny on purpose (no Cornerstone), and the first module the page runs: the viewer
// takes the metadata and pixels over through window.radcurateEarlyMetadata (series.js) and replaces the preview with
// its own first render.
import { fetchFrame, FRAMES_ACCEPT, FRAMES_AS_STORED, JPEG_LS_LOSSLESS, SeriesSource } from '../viewer/frames.js';
import { LinkChoice } from '../viewer/link.js';
import { openingSlice, orderedFrames } from '../viewer/order.js';
import { DEFAULT_PRESET } from '../viewer/presets.js';
import { drawPreview } from '../viewer/preview.js';

// On a slow link the opening slice comes JPEG-LS compressed: its decoder (a small chunk and 140 kB of WebAssembly,
// cached with the viewer's) then loads beside the metadata, so the preview needs no more than the frame's own bytes.
// On a fast link it is not loaded at all (compiling it costs a starved machine more than the bytes it saves).
const decoder = () => import('../viewer/jpegls.js');

async function previewPixels({ pixelData, transferSyntaxUid }) {
  if (transferSyntaxUid !== JPEG_LS_LOSSLESS) return pixelData;
  return (await decoder()).decodeJpegLs(pixelData);
}

// The opening slice's frame, when the page head names it, is asked for at once, beside the metadata: on a remote
// reader's link that is one round trip less before the first image.
function startOpeningFrame(link) {
  const named = document.getElementById('early-opening-frame-url');
  if (!named) return null;
  const url = new URL(JSON.parse(named.textContent), window.location.href).href;
  const frame = fetchFrame(url, undefined, link.compressed() ? FRAMES_ACCEPT : FRAMES_AS_STORED);
  frame.catch(() => {});
  return { url, frame };
}

// The page head names the series' metadata URL in a json_script element.
const config = document.getElementById('early-metadata-url');
if (config) {
  const link = new LinkChoice();
  if (link.compressed()) decoder().then(({ loadJpegLs }) => loadJpegLs()).catch(() => {});
  const url = JSON.parse(config.textContent);
  const started = startOpeningFrame(link);
  const early = {
    url,
    link,
    promise: fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/dicom+json' } })
      .then((r) => (r.ok ? r.json() : null)).catch(() => null),
  };
  window.radcurateEarlyMetadata = early;
  early.frames = early.promise.then((instances) => {
    if (!instances?.length) return null;
    const base = new URL(url.replace(/\/metadata$/, ''), window.location.href).href;
    const frames = orderedFrames(base, instances);
    const opening = frames[openingSlice(frames.length)];
    const source = new SeriesSource(base, frames, {
      first: [opening.url],
      started,
      compressed: () => link.compressed(),
      onSample: (at, sample) => link.observe(at, sample),
    });
    // Unless the viewer is quicker: then its own render is the first image.
    source.get(opening.url).then(previewPixels).then((pixelData) => {
      const stage = document.querySelector('[data-viewer]');
      if (stage?.dataset.firstImage) return;
      if (drawPreview(stage?.parentElement, opening.instance, pixelData, DEFAULT_PRESET)) early.previewAt = performance.now();
    }, () => {});
    return source;
  });
}
