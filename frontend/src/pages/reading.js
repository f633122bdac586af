// The reading page: the viewer, the trait form, drafts kept on the server, time on study, submit-and-next.
import '../styles/reading.css';

import { api, readConfig } from '../api.js';
import { ReadState } from '../form/read-state.js';
import { TraitForm } from '../form/trait-form.js';
import { DraftKeeper } from '../reading/draft.js';
import { bindReadingKeys } from '../reading/keys.js';
import { StudyTimer } from '../reading/timer.js';
import { mountViewer } from '../viewer/panel.js';

const config = readConfig('reading-config');
const page = document.getElementById('reading');
const status = (text, kind = '') => {
  const box = page.querySelector('[data-status]');
  box.textContent = text;
  box.dataset.kind = kind;
};

// Exposed for the browser tests and the benchmark: what the viewer and the read are doing, nothing more.
const probe = { ready: false, submitted: false, error: null };
window.radcurateReading = probe;

async function start() {
  const viewer = mountViewer(page);
  probe.viewer = viewer;
  const opened = viewer.open(config.series).catch((error) => {
    probe.error = String(error);
    status(`Images could not be loaded: ${error.message}`, 'error');
  });

  const taxonomy = await api(config.taxonomy_url);
  const state = new ReadState(taxonomy.traits);
  const hotkeys = new Map(state.traits.filter((t) => t.hotkey).map((t) => [t.hotkey, t.code]));
  const note = page.querySelector('[data-note]');
  const draft = new DraftKeeper({
    url: config.draft_url,
    storageKey: config.storage_key,
    payload: () => ({ labels: state.toLabels(), note: note.value, time_spent_s: timer.seconds() }),
    onStatus: (s, detail) => status({
      saving: 'saving…',
      saved: 'draft saved',
      unsaved: 'unsaved',
      offline: 'offline: kept in this browser, retrying',
      rejected: `draft not saved: ${detail}`,
    }[s], s === 'rejected' ? 'error' : s),
  });
  const restored = draft.restorable(config.draft);
  const timer = new StudyTimer(restored?.time_spent_s || 0);
  probe.timer = timer;
  probe.state = state;

  let rangeAnchor = null;
  const rangeBox = page.querySelector('[data-range]');
  const showRange = () => {
    rangeBox.textContent = rangeAnchor === null ? '' : `range from slice ${rangeAnchor + 1}… press ] to close`;
  };
  const form = new TraitForm(page.querySelector('[data-form]'), state, {
    slices: config.slice_ranges,
    onMarkSlice: (code) => state.toggleSlice(code, viewer.slice().index),
  });
  form.render(taxonomy.traits);
  if (restored) {
    probe.restoredFrom = restored.source;
    state.load(restored.labels);
    note.value = restored.note || '';
    status(restored.source === 'browser' ? 'restored unsaved changes from this browser' : 'draft restored', 'saved');
    if (restored.source === 'browser') draft.changed();
  }
  const counts = page.querySelector('[data-counts]');
  const showCounts = () => {
    const c = state.counts();
    counts.textContent = `${c.present} present · ${c.uncertain} uncertain · ${c.absent} absent · ${c.unset} unmarked (count as absent)`;
  };
  showCounts();
  state.onChange(() => {
    showCounts();
    draft.changed();
  });
  note.addEventListener('input', () => draft.changed());

  const needActive = (fn) => () => {
    if (!config.slice_ranges) return status('This campaign labels whole studies; it does not collect slice ranges.', 'error');
    if (!form.active) return status('Pick a trait first (its key or a click), then mark slices.', 'error');
    return fn(form.active);
  };
  const submitButton = page.querySelector('[data-submit]');
  // The next study is reserved by the page route (a POST with the CSRF token), which redirects to it.
  const goNext = () => {
    probe.submitted = true;
    document.querySelector('form[data-next-form]').submit();
  };
  let submitting = null;
  // One submission per read: the button and the key share this guard, and the engine refuses a second one.
  const submit = () => {
    if (submitting) return submitting;
    submitButton.disabled = true;
    status('submitting…', 'saving');
    draft.close();
    submitting = api(config.submit_url, {
      method: 'POST',
      body: { labels: state.toLabels(), note: note.value, time_spent_s: timer.seconds() },
    })
      .then(goNext, (error) => {
        if (error.status === 409) { // already submitted (a repeat): the read is in, move on
          goNext();
          return;
        }
        submitting = null;
        draft.closed = false;
        draft.changed();
        submitButton.disabled = false;
        status(`Not submitted: ${error.body?.detail || error.message}`, 'error');
      });
    return submitting;
  };
  submitButton.addEventListener('click', submit);
  // "No findings" is one key on a blank read; over positive or uncertain calls it asks for the key again.
  let confirmUntil = 0;
  const noFindings = () => {
    const { present, uncertain } = state.counts();
    if (present + uncertain && performance.now() > confirmUntil) {
      confirmUntil = performance.now() + 2000;
      status(`Press n again to mark all absent, clearing ${present + uncertain} positive or uncertain trait(s).`, 'error');
      return;
    }
    confirmUntil = 0;
    state.noFindings();
  };
  page.querySelector('[data-no-findings]').addEventListener('click', noFindings);

  bindReadingKeys({
    viewer,
    hotkeys,
    actions: {
      submit,
      noFindings,
      trait: (code) => {
        state.cycle(code);
        form.activate(code);
      },
      markSlice: needActive((code) => state.toggleSlice(code, viewer.slice().index)),
      rangeStart: needActive(() => {
        rangeAnchor = viewer.slice().index;
        showRange();
      }),
      rangeEnd: needActive((code) => {
        if (rangeAnchor === null) return status('Press [ at the first slice of the range first.', 'error');
        state.markRange(code, rangeAnchor, viewer.slice().index);
        rangeAnchor = null;
        return showRange();
      }),
      cancel: () => {
        rangeAnchor = null;
        showRange();
      },
    },
  });
  await opened;
  probe.ready = true;
  page.dataset.ready = 'true';
}

start().catch((error) => {
  probe.error = String(error);
  status(`The reading page failed to start: ${error.message}`, 'error');
});
