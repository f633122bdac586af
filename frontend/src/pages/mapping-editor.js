// The mapping editor's live preview: matching sentences of archived reports for a phrase, with their assertions.
// The API is for curators only; the page renders text nodes, never HTML from report text.
const input = document.getElementById('preview-phrase');

function cell(text, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  td.append(text);
  return td;
}

function matchRow(m) {
  const tr = document.createElement('tr');
  const sentence = document.createElement('td');
  const mark = document.createElement('mark');
  mark.textContent = m.match;
  sentence.append(m.before, mark, m.after);
  tr.append(cell(String(m.report_id)), cell(m.section), cell(m.assertion + (m.cue ? ` (${m.cue})` : ''), `assert-${m.assertion}`),
    sentence);
  return tr;
}

async function preview() {
  const csrf = document.querySelector('[name=csrfmiddlewaretoken]').value;
  const response = await fetch(input.dataset.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
    body: JSON.stringify({ trait: input.dataset.trait, phrase: input.value }),
  });
  const data = await response.json();
  document.getElementById('preview-status').textContent = data.error || `${data.matches.length} matching sentences`;
  document.getElementById('preview-rows').replaceChildren(...(data.matches || []).map(matchRow));
}

if (input) {
  let timer;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(preview, 250);
  });
}
