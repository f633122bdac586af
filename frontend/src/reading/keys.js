// The reading page's keyboard: presets 1-5, n (no findings), r (reset), arrows to scroll, trait hotkeys,
// "." marks the current slice for the active trait, "," makes it a key image of that trait, "[" then "]" mark a
// slice range, "/" shows the study's next axial series, Ctrl+Enter submits. (Letters belong to the 35 traits, so slice keys are punctuation.)
import { presetByKey } from '../viewer/presets.js';

const SCROLL = { ArrowUp: -1, ArrowDown: 1, ArrowLeft: -1, ArrowRight: 1, PageUp: -5, PageDown: 5 };

function typing(event) {
  const target = event.target;
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export function bindReadingKeys({ viewer, hotkeys = new Map(), actions = {} }) {
  document.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
      event.preventDefault();
      actions.submit?.();
      return;
    }
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    const preset = presetByKey(event.key);
    if (preset) {
      viewer.setWindow(preset);
    } else if (event.key in SCROLL) {
      viewer.scroll(SCROLL[event.key]);
    } else if (event.key === 'Home') {
      viewer.jumpTo(0);
    } else if (event.key === 'End') {
      viewer.jumpTo(viewer.slice().count - 1);
    } else if (event.key === 'r') {
      viewer.reset();
    } else if (event.key === 'n' && actions.noFindings) {
      actions.noFindings();
    } else if (event.key === '.' && actions.markSlice) {
      actions.markSlice();
    } else if (event.key === ',' && actions.keyImage) {
      actions.keyImage();
    } else if (event.key === '[' && actions.rangeStart) {
      actions.rangeStart();
    } else if (event.key === ']' && actions.rangeEnd) {
      actions.rangeEnd();
    } else if (event.key === '/' && actions.nextSeries) {
      actions.nextSeries();
    } else if (event.key === 'Escape' && actions.cancel) {
      actions.cancel();
    } else if (hotkeys.has(event.key) && actions.trait) {
      actions.trait(hotkeys.get(event.key));
    } else {
      return;
    }
    event.preventDefault();
  });
}
