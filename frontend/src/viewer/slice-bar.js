// The slice bar beside the image: where the slice on screen lies in the stack, the read's slice marks (ranges and key
// images, one lane per reader on the adjudication page), and a track to click or drag to a slice. It never takes the
// keyboard's focus: the page's keys keep scrolling and marking.

const LANE_COLOURS = ['#ff6b6b', '#6bb8ff', '#ffd24d', '#7ee08a', '#d38cff'];

export class SliceBar {
  constructor(element, { onJump = () => {} } = {}) {
    this.element = element;
    this.onJump = onJump;
    this.count = 0;
    this.index = 0;
    element.setAttribute('role', 'slider');
    element.setAttribute('aria-orientation', 'vertical');
    element.setAttribute('aria-label', 'slice (click or drag to go to a slice)');
    this.marks = document.createElement('div');
    this.marks.className = 'slice-marks';
    this.thumb = document.createElement('div');
    this.thumb.className = 'slice-thumb';
    element.replaceChildren(this.marks, this.thumb);
    this._listen();
  }

  _listen() {
    const el = this.element;
    let dragging = false;
    const jump = (event) => this.onJump(this._indexAt(event.clientY));
    el.addEventListener('pointerdown', (event) => {
      event.preventDefault(); // no focus, no text selection: the keyboard stays with the page
      const mark = event.target.closest('[data-kind]');
      if (mark) {
        this.onJump(Number(mark.dataset.from)); // a mark goes to its first slice
        return;
      }
      dragging = true;
      el.setPointerCapture?.(event.pointerId);
      jump(event);
    });
    el.addEventListener('pointermove', (event) => {
      if (dragging) jump(event);
    });
    const stop = (event) => {
      dragging = false;
      if (el.hasPointerCapture?.(event.pointerId)) el.releasePointerCapture(event.pointerId);
    };
    el.addEventListener('pointerup', stop);
    el.addEventListener('pointercancel', stop);
  }

  // Slice 1 is at the top, as in a scrollbar: a scroll down (wheel, arrow key) moves the thumb down.
  _indexAt(clientY) {
    const box = this.element.getBoundingClientRect();
    const share = (clientY - box.top) / Math.max(box.height, 1);
    return Math.max(0, Math.min(this.count - 1, Math.floor(share * this.count)));
  }

  // Top offset and height of slices from..to, in percent of the bar.
  _span(from, to) {
    const step = 100 / Math.max(this.count, 1);
    return { top: `${from * step}%`, height: `${(to - from + 1) * step}%` };
  }

  setSlice({ index, count }) {
    this.index = index;
    this.count = count;
    Object.assign(this.thumb.style, this._span(index, index));
    this.element.dataset.slice = String(index);
    this.element.setAttribute('aria-valuemin', '1');
    this.element.setAttribute('aria-valuemax', String(count));
    this.element.setAttribute('aria-valuenow', String(index + 1));
  }

  // marks: [{from, to, kind: 'range'|'key', lane, label}] in the indices of the series on screen.
  setMarks(marks) {
    const lanes = Math.max(1, ...marks.map((m) => (m.lane ?? 0) + 1));
    this.marks.replaceChildren(...marks.map((mark) => {
      const node = document.createElement('div');
      const lane = mark.lane ?? 0;
      node.className = `slice-mark slice-mark-${mark.kind}`;
      Object.assign(node.dataset, { kind: mark.kind, from: String(mark.from), to: String(mark.to), lane: String(lane) });
      // In its reader's lane, ranges on the left, key images on the right (so each can be clicked).
      const [offset, share] = mark.kind === 'key' ? [0.6, 0.4] : [0, 0.6];
      Object.assign(node.style, this._span(mark.from, mark.to), {
        left: `${((lane + offset) / lanes) * 100}%`,
        width: `${(share / lanes) * 100}%`,
        background: LANE_COLOURS[lane % LANE_COLOURS.length],
      });
      const slices = mark.from === mark.to ? `slice ${mark.from + 1}` : `slices ${mark.from + 1}–${mark.to + 1}`;
      node.title = `${mark.label ? `${mark.label}: ` : ''}${mark.kind === 'key' ? 'key image, ' : ''}${slices}`;
      return node;
    }));
    this.element.dataset.marks = String(marks.length);
  }
}
