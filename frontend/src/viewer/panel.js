// The viewer with its toolbar, overlay (slice counter, window, HU, loading) and slice bar, shared by the reading and
// adjudication pages. The page gives a container holding [data-viewer], [data-overlay], [data-toolbar] and
// [data-slice-bar].
import { mountPixelsSetting } from './pixels-setting.js';
import { WINDOW_PRESETS } from './presets.js';
import { SliceBar } from './slice-bar.js';
import { StackViewer } from './stack-viewer.js';

function button(label, title, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

const LEFT_TOOLS = [
  ['windowLevel', 'W/L', 'left-button drag: window/level'],
  ['scroll', 'Scroll', 'left-button drag: scroll'],
  ['zoom', 'Zoom', 'left-button drag: zoom'],
  ['pan', 'Pan', 'left-button drag: pan'],
  ['length', 'Length', 'left-button drag: measure a length (mm)'],
  ['probe', 'Probe', 'left-button click: the CT value (HU) at a point'],
  ['ellipse', 'Ellipse', 'left-button drag: an elliptical ROI (mean and SD in HU, area)'],
];

const fixed = (value, digits) => (value === null ? '–' : value.toFixed(digits));

// What the reader sees of one measurement (its numbers also ride on data attributes for tests).
export function measurementText(m) {
  if (m.tool === 'Length') return `Length ${fixed(m.length, 1)} ${m.unit || ''}`.trim();
  if (m.tool === 'Probe') return `Probe ${fixed(m.value, 0)} ${m.unit || ''}`.trim();
  return `Ellipse mean ${fixed(m.mean, 0)} ± ${fixed(m.stdDev, 0)} ${m.unit || ''} · ${fixed(m.area, 1)} ${m.areaUnit || ''}`.trim();
}

function showMeasurements(list, measurements) {
  if (!list) return;
  list.replaceChildren(...measurements.map((m) => {
    const item = document.createElement('li');
    item.textContent = measurementText(m);
    item.dataset.tool = m.tool;
    item.dataset.complete = String(Boolean(m.complete));
    for (const key of ['length', 'value', 'mean', 'stdDev', 'area']) if (m[key] != null) item.dataset[key] = String(m[key]);
    return item;
  }));
}

const sameWindow = (w, preset) => Math.round(w.width) === preset.width && Math.round(w.level) === preset.level;

export function mountViewer(root, { onSlice = () => {} } = {}) {
  const element = root.querySelector('[data-viewer]');
  const overlay = {
    slice: root.querySelector('[data-overlay=slice]'),
    window: root.querySelector('[data-overlay=window]'),
    hu: root.querySelector('[data-overlay=hu]'),
    loading: root.querySelector('[data-overlay=loading]'),
    measurements: root.querySelector('[data-measurements]'),
  };
  const presetButtons = new Map();
  const barElement = root.querySelector('[data-slice-bar]');
  // The viewer exists once the bar is made; the bar only calls back on a click or a drag.
  const bar = barElement && new SliceBar(barElement, { onJump: (index) => viewer.jumpTo(index) });
  const viewer = new StackViewer(element, {
    onSlice: (slice) => {
      overlay.slice.textContent = `${slice.index + 1} / ${slice.count}`;
      element.dataset.slice = String(slice.index);
      bar?.setSlice(slice);
      onSlice(slice);
    },
    onMarks: (marks) => bar?.setMarks(marks),
    onWindow: (w) => {
      if (!w) return;
      overlay.window.textContent = `W ${Math.round(w.width)} L ${Math.round(w.level)}`;
      element.dataset.window = `${Math.round(w.width)}/${Math.round(w.level)}`;
      // The preset in use is lit; after a W/L drag none is.
      for (const [preset, b] of presetButtons) {
        b.classList.toggle('on', sameWindow(w, preset));
        b.setAttribute('aria-pressed', String(sameWindow(w, preset)));
      }
    },
    onHu: (probe) => {
      overlay.hu.textContent = probe ? `${probe.hu} HU` : '';
    },
    onProgress: ({ loaded, failed, total }) => {
      overlay.loading.textContent = loaded + failed < total ? `loading ${loaded}/${total}` : failed ? `${failed} images failed` : '';
    },
    onMeasurements: (measurements) => showMeasurements(overlay.measurements, measurements),
  });
  const toolbar = root.querySelector('[data-toolbar]');
  if (toolbar) {
    const presets = document.createElement('span');
    presets.className = 'presets';
    presets.setAttribute('role', 'group');
    presets.setAttribute('aria-label', 'window presets');
    for (const preset of WINDOW_PRESETS) {
      const b = button(`${preset.key} ${preset.name}`, `${preset.name} W ${preset.width} L ${preset.level}`,
        () => viewer.setWindow(preset));
      b.dataset.preset = preset.name;
      b.setAttribute('aria-pressed', 'false');
      presetButtons.set(preset, b);
      presets.append(b);
    }
    toolbar.append(presets);
    const tools = document.createElement('span');
    tools.className = 'left-tools';
    for (const [name, label, title] of LEFT_TOOLS) {
      const b = button(label, title, () => {
        viewer.setLeftTool(name);
        tools.querySelectorAll('button').forEach((x) => x.classList.toggle('on', x === b));
      });
      b.dataset.tool = name;
      b.classList.toggle('on', name === 'windowLevel');
      tools.append(b);
    }
    const clear = button('clear', 'remove the measurements drawn on this study', () => viewer.clearMeasurements());
    clear.dataset.clearMeasurements = '';
    toolbar.append(tools, clear, button('r reset', 'reset zoom, pan and window', () => viewer.reset()));
    mountPixelsSetting(toolbar, viewer.link);
  }
  return viewer;
}
