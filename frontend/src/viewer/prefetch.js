// Background prefetch of a whole series, nearest slices first, reporting progress as images land in the cache.
import { cache, imageLoader } from '@cornerstonejs/core';

// Center-out from the slice on screen, so the slices a reader scrolls to next arrive first.
export function prefetchOrder(count, start) {
  const order = [];
  for (let d = 0; order.length < count; d += 1) {
    if (start + d < count) order.push(start + d);
    if (d > 0 && start - d >= 0) order.push(start - d);
  }
  return order;
}

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
