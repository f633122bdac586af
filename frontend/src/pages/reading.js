// The reading page: the viewer, the trait form, drafts kept on the server, time on study, submit-and-next (the
// next study opens in place, on the same viewer), and amending one of the reader's submitted reads. The read's slice
// marks show on the viewer's slice bar; a study with several axial series gets a series panel.
import '../styles/reading.css';

import { api, readConfig } from '../api.js';
import { ReadState } from '../form/read-state.js';
import { TraitForm } from '../form/trait-form.js';
import { DraftKeeper } from '../reading/draft.js';
import { bindReadingKeys } from '../reading/keys.js';
import { StudyTimer } from '../reading/timer.js';
import { mountViewer } from '../viewer/panel.js';
import { mountSeriesPanel } from '../viewer/series-panel.js';

const config = readConfig('reading-config');
const page = document.getElementById('reading');
const status = (text, kind = '') => {
  const box = page.querySelector('[data-status]');
  box.textContent = text;
  box.dataset.kind = kind;
};
const DRAFT_STATUS = {
  saving: 'saving…',
  saved: 'draft saved',
  unsaved: 'unsaved',
  offline: 'offline: kept in this browser, retrying',
};

// Exposed for the browser tests and the benchmark: what the viewer and the read are doing, nothing more.
const probe = { ready: false, submitted: false, error: null };
window.radcurateReading = probe;

function draftKeeper(cfg, payload) {
  if (cfg.mode === 'amend') {
    // An amendment is one request: nothing is saved until it is sent (a draft belongs to an open assignment).
    return { changed: () => status('unsaved: save the amendment to keep it', 'unsaved'), close() {}, restorable: () => null };
  }
  return new DraftKeeper({
    url: cfg.draft_url,
    storageKey: cfg.storage_key,
    payload,
    onStatus: (s, detail) => status(s === 'rejected' ? `draft not saved: ${detail}` : DRAFT_STATUS[s],
      s === 'rejected' ? 'error' : s),
  });
}

// The read's slice ranges and key images as slice-bar marks (indices of the study's default series).
function sliceMarks(state) {
  return state.traits.flatMap((trait) => [
    ...state.ranges(trait.code).map(([from, to]) => ({ kind: 'range', from, to, label: trait.name })),
    ...state.keyImageList(trait.code).map((k) => ({ kind: 'key', from: k, to: k, label: trait.name })),
  ]);
}

// What the page starts with: a submitted read's labels when amending, else the draft to restore.
function restoredFrom(cfg, draft) {
  if (cfg.mode === 'amend') return { ...cfg.read, time_spent_s: 0, source: 'read' };
  return draft.restorable(cfg.draft);
}

async function start() {
  const viewer = mountViewer(page);
  probe.viewer = viewer;
  const openSeries = (series) => viewer.open(series).catch((error) => {
    probe.error = String(error);
    status(`Images could not be loaded: ${error.message}`, 'error');
  });
  const opened = openSeries(config.series);
  const seriesPanel = mountSeriesPanel(page.querySelector('[data-series-panel]'), {
    viewer,
    onError: (error) => status(`That series could not be shown: ${error.message}`, 'error'),
  });

  const taxonomy = await api(config.taxonomy_url);
  const state = new ReadState(taxonomy.traits);
  probe.state = state;
  const hotkeys = new Map(state.traits.filter((t) => t.hotkey).map((t) => [t.hotkey, t.code]));
  const note = page.querySelector('[data-note]');
  const reason = page.querySelector('[data-reason]');
  const submitButton = page.querySelector('[data-submit]');
  const rangeBox = page.querySelector('[data-range]');
  const counts = page.querySelector('[data-counts]');
  // The read on screen: its config, draft, timer and its one submission. Replaced when the next study opens.
  let read = null;
  let loading = false;
  let rangeAnchor = null;

  const showRange = () => {
    rangeBox.textContent = rangeAnchor === null ? '' : `range from slice ${rangeAnchor + 1}… press ] to close`;
  };
  const showCounts = () => {
    const c = state.counts();
    counts.textContent = `${c.present} present · ${c.uncertain} uncertain · ${c.absent} absent · ${c.unset} unmarked (count as absent)`;
  };
  const payload = () => ({ labels: state.toLabels(), note: note.value, time_spent_s: read.timer.seconds() });
  const form = new TraitForm(page.querySelector('[data-form]'), state, {
    slices: config.slice_ranges,
    onMarkSlice: (code) => state.toggleSlice(code, viewer.referenceSlice()),
    onKeyImage: (code) => state.toggleKeyImage(code, viewer.referenceSlice()),
  });
  form.render(taxonomy.traits);
  state.onChange(() => {
    showCounts();
    viewer.setMarks(sliceMarks(state));
    if (!loading) read.draft.changed();
  });
  note.addEventListener('input', () => read.draft.changed());

  const begin = (cfg) => {
    const draft = draftKeeper(cfg, payload);
    const restored = restoredFrom(cfg, draft);
    read = { config: cfg, draft, timer: new StudyTimer(restored?.time_spent_s || 0), submitting: null };
    probe.timer = read.timer;
    probe.submitted = false;
    probe.restoredFrom = restored?.source ?? null;
    seriesPanel.show(cfg.series, cfg.axial_series);
    rangeAnchor = null;
    showRange();
    form.activate(null);
    loading = true;
    state.load(restored?.labels || {});
    loading = false;
    note.value = restored?.note || '';
    showCounts();
    submitButton.disabled = false;
    if (restored?.source === 'browser') {
      status('restored unsaved changes from this browser', 'saved');
      draft.changed();
    } else if (restored?.source === 'server') {
      status('draft restored', 'saved');
    } else {
      status(cfg.mode === 'amend' ? `amending version ${cfg.version}` : 'new read', '');
    }
  };
  begin(config);

  // The next study in place: the same viewer (no second start of Cornerstone), its images requested at once.
  // Anything the page cannot show in place (the worklist, a page with other reads) is a plain navigation.
  const openNext = async () => {
    let next;
    try {
      next = await api(read.config.next_url, { method: 'POST' });
    } catch {
      document.querySelector('form[data-next-form]').submit();
      return;
    }
    if (!next.page || next.page.config.taxonomy_url !== config.taxonomy_url) {
      window.location.assign(next.url);
      return;
    }
    probe.ready = false;
    const opening = openSeries(next.page.config.series);
    history.pushState(null, '', next.url);
    page.querySelector('[data-study-label]').textContent = next.page.study_label;
    page.querySelector('[data-progress]').textContent =
      `${next.page.progress.done} read by you · ${next.page.progress.outstanding} reads to go`;
    page.dataset.assignment = String(next.page.config.assignment_id);
    begin(next.page.config);
    await opening;
    probe.ready = true;
    seriesPanel.thumbnails();
  };
  const afterSubmit = (result) => {
    probe.submitted = true;
    if (read.config.mode === 'amend') {
      status(`amendment saved as version ${result.version}`, 'saved');
      window.location.assign(read.config.done_url);
      return null;
    }
    return openNext();
  };
  // One submission per read: the button and the key share this guard, and the engine refuses a second one.
  // Nothing is sent while a study is still opening (a second Ctrl+Enter must not submit the next study).
  const submit = () => {
    if (read.submitting || !probe.ready) return read.submitting;
    const body = payload();
    if (read.config.mode === 'amend') {
      if (!reason.value.trim()) return status('Say why the read is amended (the reason box) first.', 'error');
      body.reason = reason.value;
    }
    submitButton.disabled = true;
    status(read.config.mode === 'amend' ? 'saving the amendment…' : 'submitting…', 'saving');
    read.draft.close();
    const current = read;
    read.submitting = api(read.config.mode === 'amend' ? read.config.amend_url : read.config.submit_url,
      { method: 'POST', body })
      .then(afterSubmit, (error) => {
        const already = error.status === 409; // the read was submitted before (a repeat)
        if (already && current.config.mode !== 'amend') {
          return afterSubmit({});
        }
        current.submitting = null;
        if (current.draft instanceof DraftKeeper) {
          current.draft.closed = false;
          current.draft.changed();
        }
        submitButton.disabled = false;
        status(`Not ${current.config.mode === 'amend' ? 'saved' : 'submitted'}: ${error.body?.detail || error.message}`,
          'error');
        return null;
      });
    return read.submitting;
  };
  submitButton.addEventListener('click', submit);
  window.addEventListener('popstate', () => window.location.reload());
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

  const needActive = (fn) => () => {
    if (!config.slice_ranges) return status('This campaign labels whole studies; it does not collect slices.', 'error');
    if (!form.active) return status('Pick a trait first (its key or a click), then mark slices.', 'error');
    return fn(form.active);
  };
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
      markSlice: needActive((code) => state.toggleSlice(code, viewer.referenceSlice())),
      keyImage: needActive((code) => state.toggleKeyImage(code, viewer.referenceSlice())),
      rangeStart: needActive(() => {
        rangeAnchor = viewer.referenceSlice();
        showRange();
      }),
      rangeEnd: needActive((code) => {
        if (rangeAnchor === null) return status('Press [ at the first slice of the range first.', 'error');
        state.markRange(code, rangeAnchor, viewer.referenceSlice());
        rangeAnchor = null;
        return showRange();
      }),
      cancel: () => {
        rangeAnchor = null;
        showRange();
      },
      nextSeries: () => seriesPanel.next(),
    },
  });
  await opened;
  probe.ready = true;
  page.dataset.ready = 'true';
  seriesPanel.thumbnails(); // after the first image: the panel never delays it
}

start().catch((error) => {
  probe.error = String(error);
  status(`The reading page failed to start: ${error.message}`, 'error');
});
