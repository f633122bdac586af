// Saliency overlay: one trait's low-resolution Grad-CAM map over its slice image, smoothly upscaled, in a colour
// scale whose alpha follows the map (cold regions stay see-through), with an opacity slider for the whole layer.
// The server sends maps and images only after the reader's own read (or on the adjudication page).

// Black-body colour scale (dark red -> yellow -> white) for a value in [0, 1].
export function heat(v) {
  const x = Math.min(1, Math.max(0, v));
  return [Math.round(255 * Math.min(1, x * 3)), Math.round(255 * Math.min(1, Math.max(0, x * 3 - 1))),
    Math.round(255 * Math.max(0, x * 3 - 2)), Math.round(255 * x)];
}

// RGBA pixels of one (rows x cols) map.
export function mapRgba(map) {
  const rows = map.length;
  const cols = map[0].length;
  const rgba = new Uint8ClampedArray(rows * cols * 4);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      rgba.set(heat(map[r][c]), (r * cols + c) * 4);
    }
  }
  return rgba;
}

function drawMap(canvas, map) {
  const small = document.createElement('canvas');
  small.width = map[0].length;
  small.height = map.length;
  small.getContext('2d').putImageData(new ImageData(mapRgba(map), small.width, small.height), 0, 0);
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
}

function start() {
  const root = document.getElementById('saliency');
  const data = document.getElementById('saliency-config');
  if (!root || !data) return;
  const config = JSON.parse(data.textContent);
  const traitSelect = root.querySelector('[data-saliency-trait]');
  const sliceInput = root.querySelector('[data-saliency-slice]');
  const sliceLabel = root.querySelector('[data-saliency-slice-label]');
  const opacity = root.querySelector('[data-saliency-opacity]');
  const opacityLabel = root.querySelector('[data-saliency-opacity-label]');
  const image = root.querySelector('[data-saliency-image]');
  const overlay = root.querySelector('[data-saliency-overlay]');

  const trait = () => config.traits[Number(traitSelect.value)];
  const show = () => {
    const t = trait();
    const k = Number(sliceInput.value);
    const position = t.positions[k];
    sliceLabel.textContent = `${position + 1} of ${t.n_slices}`;
    image.src = config.slice_url.replace('__position__', String(position));
    drawMap(overlay, t.maps[k]);
    root.dataset.shownTrait = t.trait;
    root.dataset.shownSlice = String(position);
  };
  const pickTrait = () => {
    const t = trait();
    sliceInput.max = String(t.positions.length - 1);
    sliceInput.value = String(Math.max(0, t.positions.indexOf(t.peak_slice)));  // open on the map's peak
    show();
  };
  traitSelect.addEventListener('change', pickTrait);
  sliceInput.addEventListener('input', show);
  opacity.addEventListener('input', () => {
    overlay.style.opacity = String(Number(opacity.value) / 100);
    opacityLabel.textContent = `${opacity.value}%`;
  });
  pickTrait();
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
