// Head-CT window presets (width/level in HU) and their one-key shortcuts on the reading page.
export const WINDOW_PRESETS = [
  { key: '1', name: 'brain', width: 80, level: 40 },
  { key: '2', name: 'subdural', width: 215, level: 75 },
  { key: '3', name: 'stroke', width: 8, level: 32 },
  { key: '4', name: 'bone', width: 2800, level: 600 },
  { key: '5', name: 'soft tissue', width: 380, level: 40 },
];

export const DEFAULT_PRESET = WINDOW_PRESETS[0];

export function presetByKey(key) {
  return WINDOW_PRESETS.find((preset) => preset.key === key) || null;
}

export function voiRange({ width, level }) {
  return { lower: level - width / 2, upper: level + width / 2 };
}

export function windowLevel({ lower, upper }) {
  return { width: upper - lower, level: (upper + lower) / 2 };
}
