// Background load of a whole series into Cornerstone's cache, nearest slices first, reporting progress as images
// land. Bytes come from the page's own frame requests (a SeriesSource) where it has them, else from the loader's.
import { cache, imageLoader } from '@cornerstonejs/core';

import { holdFrame, releaseFrame } from './frame-store.js';
import { prefetchOrder } from './order.js';

const WADORS = 'wadors:';

// Waits for the source's bytes of this image and holds them for the loader; a failed frame is left to the loader.
export function frameFromSource(imageId, source) {
  const url = imageId.slice(WADORS.length);
  if (!source?.has(url)) return Promise.resolve();
  return source.get(url).then((frame) => holdFrame(imageId, frame), () => {});
}

// `current()` turns false when the viewer has moved to another study: what is still queued is dropped.
export function prefetchSeries(imageIds, { start = 0, source = null, current = () => true, onProgress = () => {} } = {}) {
  let loaded = 0;
  let failed = 0;
  const report = () => current() && onProgress({ loaded, failed, total: imageIds.length });
  const jobs = prefetchOrder(imageIds.length, start).map((index) => {
    const imageId = imageIds[index];
    if (cache.isLoaded(imageId)) {
      loaded += 1;
      return Promise.resolve();
    }
    return frameFromSource(imageId, source)
      .then(() => (current() ? imageLoader.loadAndCacheImage(imageId, { priority: 5, requestType: 'prefetch' }) : null))
      .then(() => { loaded += 1; })
      .catch(() => { failed += 1; })
      .finally(() => {
        releaseFrame(imageId);
        report();
      });
  });
  report();
  return Promise.all(jobs).then(() => ({ loaded, failed, total: imageIds.length }));
}
