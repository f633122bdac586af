// The adjudication page: the study in the viewer beside the readers' votes (names hidden); the decision is posted once.
// Each read's slice ranges and key images show on the slice bar, one lane per reader.
import '../styles/reading.css';

import { api, readConfig } from '../api.js';
import { bindReadingKeys } from '../reading/keys.js';
import { mountViewer } from '../viewer/panel.js';
import { mountSeriesPanel } from '../viewer/series-panel.js';

const config = readConfig('adjudication-config');
const page = document.getElementById('adjudication');
const probe = { ready: false, decided: false, error: null };
window.radcurateAdjudication = probe;

function status(text, kind = '') {
  const box = page.querySelector('[data-status]');
  box.textContent = text;
  box.dataset.kind = kind;
}

function decisions() {
  const chosen = {};
  const missing = [];
  for (const row of page.querySelectorAll('tr[data-trait].disputed')) {
    const picked = row.querySelector('input[type=radio]:checked');
    if (picked) chosen[row.dataset.trait] = picked.value;
    else missing.push(row.dataset.name);
  }
  return { chosen, missing };
}

async function start() {
  const viewer = mountViewer(page);
  probe.viewer = viewer;
  viewer.setMarks(config.marks || []);
  const seriesPanel = mountSeriesPanel(page.querySelector('[data-series-panel]'), {
    viewer,
    onError: (error) => status(`That series could not be shown: ${error.message}`, 'error'),
  });
  seriesPanel.show(config.series, config.axial_series);
  bindReadingKeys({ viewer, actions: { nextSeries: () => seriesPanel.next() } });
  // A reader's slice range (or key image) jumps the viewer to its first slice (in whichever series is on screen).
  page.querySelectorAll('a.jump').forEach((link) => link.addEventListener('click', (event) => {
    event.preventDefault();
    viewer.jumpToReference(Number(link.dataset.slice));
  }));
  const button = page.querySelector('[data-decide]');
  let sent = null;
  button.addEventListener('click', () => {
    if (sent) return;
    const { chosen, missing } = decisions();
    if (missing.length) {
      status(`Decide every disputed trait first: ${missing.join(', ')}`, 'error');
      return;
    }
    button.disabled = true;
    sent = api(config.decide_url, { method: 'POST', body: { decisions: chosen, note: page.querySelector('[data-note]').value } })
      .then(() => {
        probe.decided = true;
        window.location.assign(config.next_url);
      })
      .catch((error) => {
        sent = null;
        button.disabled = false;
        status(`Not recorded: ${error.body?.detail || error.message}`, 'error');
      });
  });
  await viewer.open(config.series);
  probe.ready = true;
  page.dataset.ready = 'true';
  seriesPanel.thumbnails();
}

start().catch((error) => {
  probe.error = String(error);
  status(`The adjudication page failed to start: ${error.message}`, 'error');
});
