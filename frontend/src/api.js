// JSON over fetch with the session cookie and Django's CSRF token; errors carry the server's message.
function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  return document.querySelector('input[name=csrfmiddlewaretoken]')?.value || '';
}

export class ApiError extends Error {
  constructor(status, body, url) {
    super(`HTTP ${status} from ${url}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(url, { method = 'GET', body, keepalive = false, headers = {} } = {}) {
  const response = await fetch(url, {
    method,
    credentials: 'same-origin',
    keepalive,
    headers: {
      Accept: 'application/json',
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(method !== 'GET' ? { 'X-CSRFToken': csrfToken() } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let data = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text for the error message
  }
  if (!response.ok) throw new ApiError(response.status, data, url);
  return data;
}

export function readConfig(id) {
  return JSON.parse(document.getElementById(id).textContent);
}
