// The reading viewer: one Cornerstone3D stack viewport with presets, HU probe, prefetch and (lazily) mouse tools.
import { Enums, RenderingEngine } from '@cornerstonejs/core';

import { startCornerstone } from './cornerstone.js';
import { huAtCanvasPoint } from './hounsfield.js';
import { prefetchSeries } from './prefetch.js';
import { DEFAULT_PRESET, voiRange, windowLevel } from './presets.js';
import { loadSeriesImageIds } from './series.js';

let instances = 0;

export class StackViewer {
  constructor(element, { onSlice = () => {}, onWindow = () => {}, onHu = () => {}, onProgress = () => {} } = {}) {
    startCornerstone();
    instances += 1;
    this.element = element;
    this.callbacks = { onSlice, onWindow, onHu, onProgress };
    this.id = `rc-viewer-${instances}`;
    this.imageIds = [];
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
    this.tools = attachTools({ element: this.element, viewportId: this.id, renderingEngineId: this.engine.id });
    if (this.pendingLeftTool) this.tools.setLeftTool(this.pendingLeftTool);
    this.element.dataset.tools = 'ready';
    return this.tools;
  }

  _listen() {
    const el = this.element;
    el.addEventListener('contextmenu', (event) => event.preventDefault());
    el.addEventListener(Enums.Events.STACK_NEW_IMAGE, () => this.callbacks.onSlice(this.slice()));
    el.addEventListener(Enums.Events.VOI_MODIFIED, () => this.callbacks.onWindow(this.window()));
    el.addEventListener(Enums.Events.IMAGE_RENDERED, () => {
      if (this.timings.firstImageAt === null && this.imageIds.length) {
        this.timings.firstImageAt = performance.now();
        el.dataset.firstImage = 'shown';
        this.toolsReady = this._attachTools();
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

  // Opens a series: metadata once, the middle of the head first (where most findings are), then the rest.
  async open(series, { startIndex = null } = {}) {
    this.timings.openedAt = performance.now();
    this.imageIds = await loadSeriesImageIds(series);
    if (!this.imageIds.length) throw new Error('The series has no images.');
    const start = startIndex ?? Math.floor(this.imageIds.length / 2);
    await this.viewport.setStack(this.imageIds, Math.min(start, this.imageIds.length - 1));
    this.setWindow(DEFAULT_PRESET);
    this.callbacks.onSlice(this.slice());
    this.loaded = prefetchSeries(this.imageIds, {
      start,
      onProgress: (progress) => {
        if (progress.loaded + progress.failed === progress.total && this.timings.seriesLoadedAt === null) {
          this.timings.seriesLoadedAt = performance.now();
          this.element.dataset.seriesLoaded = String(progress.loaded);
        }
        this.callbacks.onProgress(progress);
      },
    });
    return this.imageIds;
  }

  slice() {
    return { index: this.viewport.getCurrentImageIdIndex(), count: this.imageIds.length };
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

  destroy() {
    this.tools?.destroy();
    this.engine.destroy();
  }
}
