// Unit tests of the curator pages' progress poller (node --test): a job's JSON becomes the bar's width and the
// fields' text, and polling goes on while the job is going and stops once it is done or failed.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { followProgress, progressView, valueAt } from '../progress/poller.js';

// Just enough of an element for the poller: dataset, style and text, and a selector over its marked children.
function fakeElement(dataset = {}, children = []) {
  return {
    dataset,
    style: {},
    textContent: '',
    querySelector: (selector) => children.find((c) => matches(c, selector)) ?? null,
    querySelectorAll: (selector) => children.filter((c) => matches(c, selector)),
  };
}
const matches = (el, selector) => (selector === '[data-progress-bar]' ? 'progressBar' in el.dataset : 'progressField' in el.dataset);

// An ingest job's card as archive/job.html marks it up.
function ingestCard() {
  const bar = fakeElement({ progressBar: 'percent' });
  const status = fakeElement({ progressField: 'status' });
  const processed = fakeElement({ progressField: 'processed' });
  const reasons = fakeElement({ progressField: 'rejected_by_reason', progressFormat: 'counts' });
  const message = fakeElement({ progressField: 'message' });
  const card = fakeElement({ progressUrl: '/api/archive/jobs/7/', progressWhile: 'pending running', progressInterval: '700' },
    [bar, status, processed, reasons, message]);
  return { card, bar, status, processed, reasons, message };
}

// Answers each poll with the next of the given job states; remembers what was asked and what was scheduled.
function fakeServer(states) {
  const requests = [];
  const scheduled = [];
  const fetch = async (url, options) => {
    requests.push({ url, options });
    const body = states[Math.min(requests.length - 1, states.length - 1)];
    return { ok: body !== null, json: async () => body };
  };
  const schedule = (callback, ms) => scheduled.push({ callback, ms });
  return { fetch, schedule, requests, scheduled };
}

const job = (status, extra = {}) => ({ status, percent: 0, processed: 0, total: 4, rejected_by_reason: {}, message: null, ...extra });

test('a dotted path reads nested values and gives undefined where a step is missing', () => {
  assert.equal(valueAt({ job: { percent: 40 } }, 'job.percent'), 40);
  assert.equal(valueAt({ job: null }, 'job.percent'), undefined);
  assert.equal(valueAt({}, 'status'), undefined);
});

test("a job's JSON becomes the bar's width and each field's text", () => {
  const view = progressView({ status: 'running', progress: 0.4567, done: 12, errors: { not_dicom: 2, bad_pixels: 1 } }, {
    state: 'status', going: ['running'], bar: 'progress', scale: 100,
    fields: [{ path: 'done' }, { path: 'missing' }, { path: 'errors', format: 'counts' }],
  });
  assert.deepEqual(view, { width: '46%', texts: ['12', '', 'not_dicom 2, bad_pixels 1'], going: true });
  assert.equal(progressView({ status: 'done' }, { state: 'status', going: ['running'], bar: 'job.percent' }).width, '0%');
});

test('the poller fills in the card and polls again while the job is going', async () => {
  const { card, bar, status, processed, reasons, message } = ingestCard();
  const server = fakeServer([job('running', { percent: 50, processed: 2, rejected_by_reason: { not_dicom: 1 } })]);
  await followProgress(card, server);
  assert.equal(server.requests[0].url, '/api/archive/jobs/7/');
  assert.deepEqual(server.requests[0].options.headers, { Accept: 'application/json' });
  assert.equal(bar.style.width, '50%');
  assert.deepEqual([status.textContent, processed.textContent, reasons.textContent, message.textContent],
    ['running', '2', 'not_dicom 1', '']);
  assert.equal(server.scheduled.length, 1);
  assert.equal(server.scheduled[0].ms, 700);
});

for (const finished of ['done', 'failed']) {
  test(`polling stops once the job is ${finished}`, async () => {
    const { card, bar, status, message } = ingestCard();
    const server = fakeServer([job('pending'), job('running', { percent: 25 }), job(finished, { percent: 100, message: 'over' })]);
    await followProgress(card, server);
    // Run each scheduled poll in turn; ten at most, so a poller that never stops fails instead of hanging.
    for (let i = 0; i < server.scheduled.length && i < 10; i += 1) await server.scheduled[i].callback();
    assert.equal(server.requests.length, 3);
    assert.equal(server.scheduled.length, 2); // after "pending" and "running", none after the last
    assert.deepEqual([bar.style.width, status.textContent, message.textContent], ['100%', finished, 'over']);
  });
}

test('a failed request stops polling and leaves the page as it was', async () => {
  const { card, status } = ingestCard();
  status.textContent = 'running';
  const server = fakeServer([null]);
  await followProgress(card, server);
  assert.equal(status.textContent, 'running');
  assert.equal(server.scheduled.length, 0);
});

test('an export that has stopped reloads the page, which then shows the outcome', async () => {
  const bar = fakeElement({ progressBar: 'job.percent' });
  const card = fakeElement({ progressUrl: '/api/datasets/versions/3/', progressWhile: 'building', progressAfter: 'reload' }, [bar]);
  let reloads = 0;
  const server = fakeServer([{ status: 'building', job: { percent: 30 } }, { status: 'published', job: { percent: 100 } }]);
  await followProgress(card, { ...server, reload: () => { reloads += 1; } });
  assert.equal(reloads, 0);
  assert.equal(server.scheduled[0].ms, 1000); // the default interval
  await server.scheduled[0].callback();
  assert.equal(reloads, 1);
  assert.equal(bar.style.width, '100%');
  assert.equal(server.scheduled.length, 1);
});
