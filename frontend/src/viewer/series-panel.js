// The series panel: when a study has more than one axial series (thin and thick reconstructions, two acquisitions),
// one button per series to switch the viewer to it. Built from the page's own config (no request); the series the
// archive chose opens first and is marked "default". Nothing of the patient: number, slices, thickness, spacing, and
// a thumbnail drawn once the first image is on screen (`thumbnails()`).
import { drawSeriesThumbnail } from './series-thumbnail.js';

const mm = (value) => (value == null ? null : `${Number(value.toFixed(2))} mm`);

export function seriesLabel(s) {
  return [
    s.series_number == null ? 'series' : `series ${s.series_number}`,
    `${s.n_slices} slices`,
    s.thickness_mm == null ? null : `${mm(s.thickness_mm)} thick`,
    s.spacing_mm == null || s.spacing_mm === s.thickness_mm ? null : `every ${mm(s.spacing_mm)}`,
  ].filter(Boolean).join(' · ');
}

export function mountSeriesPanel(container, { viewer, onError = () => {} }) {
  let study = null;
  let listed = [];
  let shown = null;
  const mark = (uid) => {
    shown = uid;
    for (const b of container.querySelectorAll('button')) {
      const on = b.dataset.seriesUid === uid;
      b.classList.toggle('on', on);
      b.setAttribute('aria-pressed', String(on));
    }
  };
  const pick = (s, button) => {
    button?.blur(); // the keyboard stays with the page's keys
    mark(s.series_uid);
    viewer.switchSeries({ ...study, seriesUid: s.series_uid }).catch(onError);
  };
  return {
    // series: the page config's `series` (the default one); list: its `axial_series`.
    show(series, list = []) {
      study = series;
      listed = list.length < 2 ? [] : list;
      container.hidden = !listed.length;
      container.replaceChildren(...listed.map((s) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.seriesUid = s.series_uid;
        const thumb = Object.assign(document.createElement('canvas'), { width: 40, height: 40, className: 'series-thumb' });
        const label = Object.assign(document.createElement('span'), { textContent: seriesLabel(s) });
        if (s.primary) label.append(Object.assign(document.createElement('small'), { textContent: ' default' }));
        button.append(thumb, label);
        button.title = 'show this series (slice marks stay on the default series, shown at the nearest slice)';
        button.addEventListener('click', () => pick(s, button));
        return button;
      }));
      mark(series.seriesUid);
    },
    // Each listed series' middle slice on its button; called by the page after the study's first image.
    thumbnails() {
      for (const s of listed) {
        const canvas = container.querySelector(`button[data-series-uid="${s.series_uid}"] canvas`);
        if (canvas) drawSeriesThumbnail(canvas, { ...study, seriesUid: s.series_uid }).catch(() => {});
      }
    },
    // The next axial series of the study, round (the "/" key); nothing when it has one.
    next() {
      if (!listed.length) return;
      const at = listed.findIndex((s) => s.series_uid === shown);
      pick(listed[(at + 1) % listed.length], null);
    },
  };
}
