// One progress poller for the curator pages' long jobs (ingest, report mining, dataset export). The page's markup
// says where the job's JSON is and which of its fields go where, so the three pages share this code and carry no
// script of their own (they can run under a Content-Security-Policy without 'unsafe-inline').
//
// On the element that follows a job:
//   data-progress-url       the job's JSON (rendered with {% url %}, never built here)
//   data-progress-state     dotted path of the job's state in the JSON ("status")
//   data-progress-while     states that mean "still going", space-separated ("pending running")
//   data-progress-interval  milliseconds between polls
//   data-progress-after     "reload": reload the page once the job has stopped (it then renders the outcome)
// Inside it:
//   data-progress-bar       dotted path of the percent; data-progress-scale multiplies it (100 for a fraction)
//   data-progress-field     dotted path of a value shown as the element's text; data-progress-format="counts"
//                           shows an object of counts as "name n, name n"

/** The value at a dotted path ("job.percent") of a JSON object; undefined when a step is missing. */
export function valueAt(data, path) {
  return path.split('.').reduce((value, key) => (value == null ? undefined : value[key]), data);
}

const FORMATS = {
  text: (value) => (value == null ? '' : String(value)),
  counts: (value) => Object.entries(value ?? {}).map(([name, n]) => `${name} ${n}`).join(', '),
};

/** What the page shows for one poll's JSON: the bar's width, each field's text, and whether to poll again. */
export function progressView(data, { state, going, bar, scale = 1, fields = [] }) {
  return {
    width: bar ? `${Math.round((Number(valueAt(data, bar)) || 0) * scale)}%` : null,
    texts: fields.map(({ path, format = 'text' }) => (FORMATS[format] ?? FORMATS.text)(valueAt(data, path))),
    going: going.includes(valueAt(data, state)),
  };
}

function specOf(element) {
  const { progressUrl, progressState, progressWhile, progressInterval, progressAfter } = element.dataset;
  const barElement = element.querySelector('[data-progress-bar]');
  const fieldElements = [...element.querySelectorAll('[data-progress-field]')];
  return {
    url: progressUrl,
    state: progressState ?? 'status',
    going: (progressWhile ?? 'pending running').split(/\s+/).filter(Boolean),
    interval: Number(progressInterval) || 1000,
    after: progressAfter ?? '',
    barElement,
    bar: barElement?.dataset.progressBar,
    scale: Number(barElement?.dataset.progressScale) || 1,
    fieldElements,
    fields: fieldElements.map((el) => ({ path: el.dataset.progressField, format: el.dataset.progressFormat })),
  };
}

/**
 * Polls the job that element follows until it stops: fills in its bar and fields after each poll, then polls again
 * while the job is going, or does what data-progress-after asks. A failed request ends the polling and leaves the
 * page as it was. Resolves once the first poll is shown; fetch, schedule and reload are replaceable for tests.
 */
export function followProgress(element, {
  fetch = globalThis.fetch,
  schedule = setTimeout,
  reload = () => window.location.reload(),
} = {}) {
  const spec = specOf(element);
  const poll = async () => {
    const response = await fetch(spec.url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!response.ok) return;
    const view = progressView(await response.json(), spec);
    if (spec.barElement) spec.barElement.style.width = view.width;
    spec.fieldElements.forEach((el, i) => { el.textContent = view.texts[i]; });
    if (view.going) schedule(poll, spec.interval);
    else if (spec.after === 'reload') reload();
  };
  return poll();
}
