// The reading viewer: one Cornerstone3D stack viewport with presets, HU probe, prefetch and (lazily) mouse tools.
// Slice indices a page gives or asks for (marks, "go to slice", the slice to mark) are the study's default series';
// another series of the study shows them at its slice nearest in position.
import { cache, Enums, RenderingEngine } from '@cornerstonejs/core';
import { wadors } from '@cornerstonejs/dicom-image-loader';

import { startCornerstone } from './cornerstone.js';
import { registerFrameStore, releaseFrame } from './frame-store.js';
import { SeriesSource } from './frames.js';
import { huAtCanvasPoint } from './hounsfield.js';
import { LinkChoice } from './link.js';
import { openingSlice, orderedFrames } from './order.js';
import { frameFromSource, prefetchSeries } from './prefetch.js';
import { DEFAULT_PRESET, voiRange, windowLevel } from './presets.js';
import { fetchSeriesMetadata, registerImageIds, seriesUrl, takeEarlyFrames } from './series.js';
import { mapSlice, marksOn, nearestSlice, slicePositions } from './slice-map.js';

let instances = 0;

export class StackViewer {
  constructor(element, {
    onSlice = () => {}, onWindow = () => {}, onHu = () => {}, onProgress = () => {}, onMeasurements = () => {},
    onMarks = () => {},
  } = {}) {
    startCornerstone();
    registerFrameStore();
    instances += 1;
    this.element = element;
    this.callbacks = { onSlice, onWindow, onHu, onProgress, onMeasurements, onMarks };
    this.id = `rc-viewer-${instances}`;
    this.imageIds = [];
    this.generation = 0;
    this.source = null;
    // One view of the link per page: the page head's (it has timed the opening frame and the stream) when it ran.
    this.link = window.radcurateEarlyMetadata?.link || new LinkChoice();
    this.leaving = [];
    this.series = null;
    this.positions = null; // of the series on screen, in slice order
    this.reference = null; // the positions of the study's default series, which marks and slice numbers refer to
    this.marks = [];
    this.timings = { openedAt: performance.now(), firstImageAt: null, seriesLoadedAt: null };
    this.engine = new RenderingEngine(`${this.id}-engine`);
    this.engine.enableElement({
      viewportId: this.id,
      type: Enums.ViewportType.STACK,
      element,
      defaultOptions: { background: [0, 0, 0] },
    });
    this.viewport = this.engine.getViewport(this.id);
    this.tools = null;
    this.pendingLeftTool = null;
    this._listen();
  }

  // After the first image: load the mouse tools and bind them to this viewport.
  async _attachTools() {
    const { attachTools } = await import('./tools.js');
    this.tools = attachTools({
      element: this.element,
      viewportId: this.id,
      renderingEngineId: this.engine.id,
      onMeasurements: this.callbacks.onMeasurements,
    });
    if (this.pendingLeftTool) this.tools.setLeftTool(this.pendingLeftTool);
    this.element.dataset.tools = 'ready';
    return this.tools;
  }

  _listen() {
    const el = this.element;
    el.addEventListener('contextmenu', (event) => event.preventDefault());
    el.addEventListener(Enums.Events.STACK_NEW_IMAGE, () => this.callbacks.onSlice(this.slice()));
    el.addEventListener(Enums.Events.VOI_MODIFIED, (event) => {
      this.voi = event.detail.range; // what the window was set to (on the CPU path getProperties() drifts per image)
      this.callbacks.onWindow(this.window());
    });
    el.addEventListener(Enums.Events.IMAGE_RENDERED, () => {
      // Only an image of the study being opened counts (the last study's stays on screen until then).
      if (this.timings.firstImageAt === null && this.imageIds.includes(this.viewport.getCurrentImageId())) {
        this.timings.firstImageAt = performance.now();
        el.dataset.firstImage = 'shown';
        el.parentElement?.querySelector('canvas[data-preview]')?.remove();
        this.toolsReady ??= this._attachTools();
      }
    });
    el.addEventListener('mousemove', (event) => {
      const rect = el.getBoundingClientRect();
      this.callbacks.onHu(huAtCanvasPoint(this.viewport, [event.clientX - rect.left, event.clientY - rect.top]));
    });
    el.addEventListener('mouseleave', () => this.callbacks.onHu(null));
    // Until the tools chunk has arrived, the wheel still scrolls (afterwards StackScrollTool owns it).
    el.addEventListener('wheel', (event) => {
      if (this.tools || !this.imageIds.length) return;
      event.preventDefault();
      this.scroll(Math.sign(event.deltaY));
    }, { passive: false });
    new ResizeObserver(() => this.engine.resize(true, false)).observe(el);
  }

  // Opens a series (again and again on one page: the rendering engine and the tools stay): metadata once, the middle
  // of the head first, then the rest, the pixels from the page's own requests (SeriesSource). A study's default
  // series opens as the reference (`reference`); another of its series opens at the slice nearest `startPosition`.
  async open(series, { startIndex = null, startPosition = null, reference = true } = {}) {
    const generation = this._leave();
    const instances = await fetchSeriesMetadata(series);
    if (generation !== this.generation) return null;
    const previous = this.leaving;
    this.imageIds = registerImageIds(series, instances);
    if (!this.imageIds.length) throw new Error('The series has no images.');
    this.series = series;
    this.positions = slicePositions(instances);
    if (reference) this.reference = this.positions;
    this.element.dataset.series = series.seriesUid;
    const near = startPosition === null ? null : nearestSlice(this.positions, startPosition);
    const start = Math.min(startIndex ?? near ?? openingSlice(this.imageIds.length), this.imageIds.length - 1);
    this.source = (await takeEarlyFrames(series)) || this._source(series, instances, start);
    await frameFromSource(this.imageIds[start], this.source);
    if (generation !== this.generation) return null;
    const shown = this.viewport.setStack(this.imageIds, start);
    const current = () => generation === this.generation;
    // The rest of the series is decoded while the first image is drawn (the loader decodes it first).
    this.loaded = prefetchSeries(this.imageIds, {
      start,
      source: this.source,
      current,
      onProgress: (progress) => {
        if (progress.loaded + progress.failed === progress.total && this.timings.seriesLoadedAt === null) {
          this.timings.seriesLoadedAt = performance.now();
          this.element.dataset.seriesLoaded = String(progress.loaded);
        }
        this.callbacks.onProgress(progress);
      },
    });
    await shown;
    releaseFrame(this.imageIds[start]);
    this.setWindow(DEFAULT_PRESET);
    this.callbacks.onSlice(this.slice());
    this.callbacks.onMarks(this.shownMarks());
    this.leaving = [];
    this._forget(previous);
    return this.imageIds;
  }

  _source(series, instances, start) {
    const base = new URL(seriesUrl(series), window.location.href).href;
    const frames = orderedFrames(base, instances);
    return new SeriesSource(base, frames, {
      first: [frames[start].url],
      compressed: () => this.link.compressed(),
      onSample: (url, sample) => this.link.observe(url, sample),
    });
  }

  // Before another study opens: its requests stop, and the timings and flags start again.
  _leave() {
    this.generation += 1;
    this.source?.stop();
    this.source = null;
    this.tools?.clearMeasurements(); // a measurement belongs to the study it was drawn on
    this.leaving = [...(this.leaving || []), ...this.imageIds];
    this.imageIds = [];
    this.timings = { openedAt: performance.now(), firstImageAt: null, seriesLoadedAt: null };
    delete this.element.dataset.firstImage;
    delete this.element.dataset.seriesLoaded;
    return this.generation;
  }

  // The last study's images leave the cache and the loader's metadata once the next one is on screen.
  _forget(imageIds) {
    const keep = new Set(this.imageIds);
    for (const imageId of imageIds) {
      if (keep.has(imageId)) continue;
      if (cache.getImageLoadObject(imageId)) cache.removeImageLoadObject(imageId, { force: true });
      wadors.metaDataManager.remove(imageId);
    }
  }

  slice() {
    return { index: this.viewport.getCurrentImageIdIndex(), count: this.imageIds.length };
  }

  // The slice on screen as an index of the default series (what a read's slice marks hold).
  referenceSlice() {
    return mapSlice(this.positions, this.reference, this.viewport.getCurrentImageIdIndex());
  }

  // Goes to the slice of the series on screen nearest to the default series' slice `index`.
  jumpToReference(index) {
    return this.jumpTo(mapSlice(this.reference, this.positions, index));
  }

  // Another series of the same study, at the slice nearest to the one on screen (same window, tools kept).
  switchSeries(series) {
    if (series.seriesUid === this.series?.seriesUid) return Promise.resolve(this.imageIds);
    const index = this.viewport.getCurrentImageIdIndex();
    const startPosition = this.positions?.[index] ?? null;
    const voiRange = this.voi && { ...this.voi };
    return this.open(series, { startPosition, reference: false }).then((ids) => {
      if (ids && voiRange) {
        this.viewport.setProperties({ voiRange }); // its VOI_MODIFIED tells the page
        this.viewport.render();
      }
      return ids;
    });
  }

  // Slice marks ({from, to, kind, lane, label} in the default series' indices) for the slice bar.
  setMarks(marks) {
    this.marks = marks;
    this.callbacks.onMarks(this.shownMarks());
  }

  shownMarks() {
    return marksOn(this.marks, this.reference, this.positions);
  }

  async jumpTo(index) {
    const target = Math.max(0, Math.min(this.imageIds.length - 1, index));
    if (target !== this.viewport.getCurrentImageIdIndex()) await this.viewport.setImageIdIndex(target);
  }

  scroll(delta) {
    return this.jumpTo(this.viewport.getCurrentImageIdIndex() + delta);
  }

  window() {
    const range = this.viewport.getProperties().voiRange;
    return range ? windowLevel(range) : null;
  }

  setWindow({ width, level }) {
    this.viewport.setProperties({ voiRange: voiRange({ width, level }) });
    this.viewport.render();
    this.callbacks.onWindow(this.window());
  }

  // Back to the whole image, centered, in the default window.
  reset() {
    this.viewport.resetCamera();
    this.setWindow(DEFAULT_PRESET);
  }

  setLeftTool(name) {
    if (this.tools) this.tools.setLeftTool(name);
    else this.pendingLeftTool = name;
  }

  clearMeasurements() {
    this.tools?.clearMeasurements();
  }

  destroy() {
    this.tools?.destroy();
    this.engine.destroy();
  }
}
