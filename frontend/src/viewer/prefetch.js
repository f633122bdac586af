// Background prefetch of a whole series, nearest slices first, reporting progress as images land in the cache.
import { cache, imageLoader } from '@cornerstonejs/core';

import { prefetchOrder } from './order.js';

export function prefetchSeries(imageIds, { start = 0, onProgress = () => {} } = {}) {
  let loaded = 0;
  let failed = 0;
  const report = () => onProgress({ loaded, failed, total: imageIds.length });
  const jobs = prefetchOrder(imageIds.length, start).map((index) => {
    const imageId = imageIds[index];
    if (cache.isLoaded(imageId)) {
      loaded += 1;
      return Promise.resolve();
    }
    return imageLoader
      .loadAndCacheImage(imageId, { priority: 5, requestType: 'prefetch' })
      .then(() => { loaded += 1; })
      .catch(() => { failed += 1; })
      .finally(report);
  });
  report();
  return Promise.all(jobs).then(() => ({ loaded, failed, total: imageIds.length }));
}
