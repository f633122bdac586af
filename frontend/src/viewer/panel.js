// The viewer with its toolbar and overlay (slice counter, window, HU, loading), shared by the reading and
// adjudication pages. The page gives a container holding [data-viewer], [data-overlay] and [data-toolbar].
import { WINDOW_PRESETS } from './presets.js';
import { StackViewer } from './stack-viewer.js';

function button(label, title, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

export function mountViewer(root, { onSlice = () => {} } = {}) {
  const element = root.querySelector('[data-viewer]');
  const overlay = {
    slice: root.querySelector('[data-overlay=slice]'),
    window: root.querySelector('[data-overlay=window]'),
    hu: root.querySelector('[data-overlay=hu]'),
    loading: root.querySelector('[data-overlay=loading]'),
  };
  const viewer = new StackViewer(element, {
    onSlice: (slice) => {
      overlay.slice.textContent = `${slice.index + 1} / ${slice.count}`;
      element.dataset.slice = String(slice.index);
      onSlice(slice);
    },
    onWindow: (w) => {
      if (!w) return;
      overlay.window.textContent = `W ${Math.round(w.width)} L ${Math.round(w.level)}`;
      element.dataset.window = `${Math.round(w.width)}/${Math.round(w.level)}`;
    },
    onHu: (probe) => {
      overlay.hu.textContent = probe ? `${probe.hu} HU` : '';
    },
    onProgress: ({ loaded, failed, total }) => {
      overlay.loading.textContent = loaded + failed < total ? `loading ${loaded}/${total}` : failed ? `${failed} images failed` : '';
    },
  });
  const toolbar = root.querySelector('[data-toolbar]');
  if (toolbar) {
    for (const preset of WINDOW_PRESETS) {
      toolbar.append(button(`${preset.key} ${preset.name}`, `${preset.name} W ${preset.width} L ${preset.level}`,
        () => viewer.setWindow(preset)));
    }
    const tools = document.createElement('span');
    tools.className = 'left-tools';
    for (const [name, label] of [['windowLevel', 'W/L'], ['scroll', 'Scroll'], ['zoom', 'Zoom'], ['pan', 'Pan']]) {
      const b = button(label, `left-button drag: ${label}`, () => {
        viewer.setLeftTool(name);
        tools.querySelectorAll('button').forEach((x) => x.classList.toggle('on', x === b));
      });
      b.classList.toggle('on', name === 'windowLevel');
      tools.append(b);
    }
    toolbar.append(tools, button('r reset', 'reset zoom, pan and window', () => viewer.reset()));
  }
  return viewer;
}
