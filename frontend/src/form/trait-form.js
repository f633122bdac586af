// The compact hierarchical trait form: one row per trait, tri-state buttons, hotkey, slice marks; subtypes nested.
import { layoutTraits } from './layout.js';

const SYMBOL = { present: '+', uncertain: '?', absent: '−' };
const TITLE = { present: 'present', uncertain: 'uncertain', absent: 'absent' };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

export function formatRanges(ranges) {
  // Shown 1-based, as the slice counter is.
  return ranges.map(([a, b]) => (a === b ? `${a + 1}` : `${a + 1}–${b + 1}`)).join(', ');
}

export class TraitForm {
  constructor(container, state, {
    onActivate = () => {}, onMarkSlice = () => {}, onKeyImage = () => {}, slices = true, readOnly = false,
  } = {}) {
    this.slices = slices;
    this.container = container;
    this.state = state;
    this.rows = new Map();
    this.active = null;
    this.onActivate = onActivate;
    this.onMarkSlice = onMarkSlice;
    this.onKeyImage = onKeyImage;
    this.readOnly = readOnly;
  }

  render(traits) {
    this.container.replaceChildren();
    for (const section of layoutTraits(traits)) {
      const box = el('section', { class: `sig sig-${section.significance}` },
        el('h3', {}, `${section.significance} significance`));
      for (const group of section.groups) {
        const list = el('div', { class: 'loc' }, el('h4', {}, group.location));
        for (const trait of group.traits) list.append(this._row(trait, 0));
        box.append(list);
      }
      this.container.append(box);
    }
    this.state.onChange((codes) => codes.forEach((code) => this.refresh(code)));
    for (const code of this.rows.keys()) this.refresh(code);
  }

  _row(trait, depth) {
    const buttons = ['present', 'uncertain', 'absent'].map((status) => {
      const button = el('button', {
        type: 'button', class: `tri-${status}`, title: TITLE[status], 'data-set': status, disabled: this.readOnly,
      }, SYMBOL[status]);
      button.addEventListener('click', (event) => {
        event.stopPropagation();
        this.state.set(trait.code, this.state.get(trait.code) === status ? undefined : status);
        this.activate(trait.code);
      });
      return button;
    });
    const mark = el('button', { type: 'button', class: 'mark', title: 'mark the current slice (.)', disabled: this.readOnly },
      'mark');
    mark.addEventListener('click', (event) => {
      event.stopPropagation();
      this.activate(trait.code);
      this.onMarkSlice(trait.code);
    });
    const key = el('button', { type: 'button', class: 'mark', title: 'the current slice as a key image (,)',
      disabled: this.readOnly }, 'key');
    key.addEventListener('click', (event) => {
      event.stopPropagation();
      this.activate(trait.code);
      this.onKeyImage(trait.code);
    });
    const row = el('div', {
      class: `trait depth-${depth}`, 'data-code': trait.code, 'data-significance': trait.significance, tabIndex: 0,
    },
      el('kbd', {}, trait.hotkey || ''),
      el('span', { class: 'name', title: trait.description ? `${trait.name}: ${trait.description}` : trait.name }, trait.name),
      el('span', { class: 'tri' }, ...buttons),
      this.slices ? el('span', { class: 'marks' }, mark, key) : el('span'),
      el('span', { class: 'slices' }));
    row.addEventListener('click', () => this.activate(trait.code));
    this.rows.set(trait.code, row);
    const wrap = el('div', { class: 'trait-wrap' }, row);
    if (trait.children?.length) {
      const sub = el('div', { class: 'subtypes' });
      for (const child of trait.children) sub.append(this._row(child, depth + 1));
      wrap.append(sub);
    }
    return wrap;
  }

  refresh(code) {
    const row = this.rows.get(code);
    if (!row) return;
    const status = this.state.get(code) || 'unset';
    row.dataset.status = status;
    for (const button of row.querySelectorAll('.tri button')) {
      button.classList.toggle('on', button.dataset.set === status);
    }
    const ranges = this.state.ranges(code);
    const keys = this.state.keyImageList(code);
    row.querySelector('.slices').textContent = [
      ranges.length ? `slices ${formatRanges(ranges)}` : '',
      keys.length ? `key ${keys.map((i) => i + 1).join(', ')}` : '',
    ].filter(Boolean).join(' · ');
    row.querySelector('.slices').dataset.keyImages = keys.join(',');
  }

  activate(code) {
    if (this.active) this.rows.get(this.active)?.classList.remove('active');
    this.active = code;
    const row = code && this.rows.get(code);
    if (row) {
      row.classList.add('active');
      row.scrollIntoView({ block: 'nearest' });
    }
    this.onActivate(code);
  }
}
