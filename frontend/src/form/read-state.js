// A read being filled in: per trait present/absent/uncertain, slice ranges and key images, with the taxonomy's
// hierarchy rules.
//
// The engine enforces the same rules on submit; applying them here lets the reader see the result as they type.

export const STATUSES = ['present', 'uncertain', 'absent'];
const CYCLE = [undefined, 'present', 'uncertain', 'absent'];

export function flattenTraits(traits, parent = null, out = []) {
  for (const trait of traits) {
    out.push({ ...trait, parent });
    flattenTraits(trait.children || [], trait.code, out);
  }
  return out;
}

// Slices are held as a set of indices and given out as inclusive [start, end] runs.
export function toRanges(indices) {
  const sorted = [...indices].sort((a, b) => a - b);
  const ranges = [];
  for (const i of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && i === last[1] + 1) last[1] = i;
    else ranges.push([i, i]);
  }
  return ranges;
}

export function fromRanges(ranges) {
  const out = new Set();
  for (const [start, end] of ranges || []) {
    for (let i = start; i <= end; i += 1) out.add(i);
  }
  return out;
}

export class ReadState {
  constructor(traits) {
    this.traits = flattenTraits(traits);
    this.byCode = new Map(this.traits.map((t) => [t.code, t]));
    this.status = new Map();
    this.slices = new Map();
    this.keyImages = new Map();
    this.listeners = [];
  }

  onChange(listener) {
    this.listeners.push(listener);
  }

  _changed(codes) {
    for (const listener of this.listeners) listener(codes);
  }

  children(code) {
    return this.traits.filter((t) => t.parent === code).map((t) => t.code);
  }

  get(code) {
    return this.status.get(code);
  }

  _put(code, status, touched) {
    if (status === undefined) this.status.delete(code);
    else this.status.set(code, status);
    if (status !== 'present') {
      this.slices.delete(code);
      this.keyImages.delete(code);
    }
    touched.add(code);
  }

  set(code, status) {
    if (!this.byCode.has(code)) throw new Error(`Unknown trait: ${code}`);
    const touched = new Set();
    this._put(code, status, touched);
    const parent = this.byCode.get(code).parent;
    // A positive child makes its parent positive; an uncertain one at least uncertain.
    if (parent && status === 'present') this._put(parent, 'present', touched);
    if (parent && status === 'uncertain' && this.get(parent) !== 'present') this._put(parent, 'uncertain', touched);
    // A parent called absent takes its subtypes with it.
    if (status === 'absent') {
      for (const child of this.children(code)) this._put(child, 'absent', touched);
    }
    // One called uncertain takes its present subtypes down to uncertain: the server refuses a subtype above its parent.
    if (status === 'uncertain') {
      for (const child of this.children(code)) if (this.get(child) === 'present') this._put(child, 'uncertain', touched);
    }
    this._changed(touched);
  }

  // One key per trait: unset -> present -> uncertain -> absent -> unset.
  cycle(code) {
    const next = CYCLE[(CYCLE.indexOf(this.get(code)) + 1) % CYCLE.length];
    this.set(code, next);
    return next;
  }

  noFindings() {
    const touched = new Set();
    for (const trait of this.traits) this._put(trait.code, 'absent', touched);
    this._changed(touched);
  }

  sliceSet(code) {
    if (!this.slices.has(code)) this.slices.set(code, new Set());
    return this.slices.get(code);
  }

  // Marking a slice says the finding is there, so the trait becomes present.
  toggleSlice(code, index) {
    if (this.get(code) !== 'present') this.set(code, 'present');
    const set = this.sliceSet(code);
    if (set.has(index)) set.delete(index);
    else set.add(index);
    this._changed(new Set([code]));
  }

  // A key image is a slice that shows the finding best; choosing one also says the finding is there.
  toggleKeyImage(code, index) {
    if (this.get(code) !== 'present') this.set(code, 'present');
    if (!this.keyImages.has(code)) this.keyImages.set(code, new Set());
    const set = this.keyImages.get(code);
    if (set.has(index)) set.delete(index);
    else set.add(index);
    this._changed(new Set([code]));
  }

  keyImageList(code) {
    return [...(this.keyImages.get(code) || [])].sort((a, b) => a - b);
  }

  markRange(code, from, to) {
    if (this.get(code) !== 'present') this.set(code, 'present');
    const set = this.sliceSet(code);
    for (let i = Math.min(from, to); i <= Math.max(from, to); i += 1) set.add(i);
    this._changed(new Set([code]));
  }

  ranges(code) {
    return toRanges(this.slices.get(code) || []);
  }

  counts() {
    const counts = { present: 0, uncertain: 0, absent: 0, unset: 0 };
    for (const trait of this.traits) counts[this.get(trait.code) ?? 'unset'] += 1;
    return counts;
  }

  isEmpty() {
    return this.status.size === 0;
  }

  // The labels as the engine takes them: trait code -> {state, slice_ranges, key_images}; unset traits are left
  // out (a submitted read counts them absent).
  toLabels() {
    const labels = {};
    for (const trait of this.traits) {
      const state = this.get(trait.code);
      if (!state) continue;
      const label = { state };
      const ranges = this.ranges(trait.code);
      const keys = this.keyImageList(trait.code);
      if (ranges.length) label.slice_ranges = ranges;
      if (keys.length) label.key_images = keys;
      labels[trait.code] = label;
    }
    return labels;
  }

  // Accepts what the engine gives back: code -> state, or code -> {state, slice_ranges, key_images}.
  load(labels) {
    this.status.clear();
    this.slices.clear();
    this.keyImages.clear();
    for (const [code, raw] of Object.entries(labels || {})) {
      const { state, slice_ranges: ranges, key_images: keys } = typeof raw === 'string' ? { state: raw } : raw || {};
      if (!this.byCode.has(code) || !STATUSES.includes(state)) continue;
      this.status.set(code, state);
      if (state === 'present' && ranges?.length) this.slices.set(code, fromRanges(ranges));
      if (state === 'present' && keys?.length) this.keyImages.set(code, new Set(keys));
    }
    this._changed(new Set(this.byCode.keys()));
  }
}
