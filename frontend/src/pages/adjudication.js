// The adjudication page: the study in the viewer beside the readers' votes (names hidden); the decision is posted once.
import '../styles/reading.css';

import { api, readConfig } from '../api.js';
import { bindReadingKeys } from '../reading/keys.js';
import { mountViewer } from '../viewer/panel.js';

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
  bindReadingKeys({ viewer });
  // A reader's slice range (or key image) jumps the viewer to its first slice.
  page.querySelectorAll('a.jump').forEach((link) => link.addEventListener('click', (event) => {
    event.preventDefault();
    viewer.jumpTo(Number(link.dataset.slice));
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
}

start().catch((error) => {
  probe.error = String(error);
  status(`The adjudication page failed to start: ${error.message}`, 'error');
});
