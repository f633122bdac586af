// The viewer's "pixels" setting: automatic (per link, link.js), compressed (JPEG-LS) or uncompressed (as stored).
// Kept in this browser (localStorage), like a draft's local copy: the link belongs to the machine, not the user.
// A change applies to the next pixels the page asks for (the next study, or a reload).
import { pixelSetting, setPixelSetting } from './link.js';

const LABELS = { automatic: 'automatic', compressed: 'compressed (JPEG-LS)', uncompressed: 'uncompressed (as stored)' };

export function mountPixelsSetting(toolbar, link) {
  const label = document.createElement('label');
  label.className = 'pixels-setting';
  label.textContent = 'pixels ';
  const select = document.createElement('select');
  select.dataset.pixels = '';
  for (const [value, text] of Object.entries(LABELS)) select.append(new Option(text, value));
  select.value = pixelSetting();
  const explain = () => {
    const now = link.describe();
    select.title = `asking for ${now.pixels} pixels (${now.reason}); a change applies from the next study`;
    label.dataset.asking = now.pixels;
  };
  select.addEventListener('change', () => {
    setPixelSetting(select.value);
    explain();
  });
  label.addEventListener('pointerenter', explain);
  select.addEventListener('focus', explain);
  explain();
  label.append(select);
  toolbar.append(label);
  return select;
}
