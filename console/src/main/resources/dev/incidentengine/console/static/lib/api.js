// The JSON API with the session cookie; every change carries the session's CSRF token and an idempotency key.

let csrf = null;

export function setCsrf(token) {
  csrf = token;
}

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

/** A random id; crypto.randomUUID needs a secure context, which a console on a LAN address is not. */
export function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

/** JSON from the API; with `text`, the answer's text (a postmortem's Markdown); errors are JSON either way. */
export async function api(path, {method = 'GET', body, idempotencyKey, text = false} = {}) {
  const headers = {Accept: text ? 'text/markdown, application/json' : 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf || '';
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  let response;
  try {
    response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin'});
  } catch (e) {
    throw new ApiError(0, 'The engine did not answer (' + e.message + ')');
  }
  if (text && response.ok) return response.text();
  let json = null;
  try {
    json = await response.json();
  } catch (e) {
    // An empty or non-JSON answer: the status says enough.
  }
  if (response.status === 401) {
    window.dispatchEvent(new CustomEvent('console:signed-out'));
  }
  if (!response.ok) {
    throw new ApiError(response.status, (json && json.error) || response.statusText || ('HTTP ' + response.status), json && json.field);
  }
  return json;
}

/** A command on an incident, answered once the engine decided it (?wait=true). */
export function command(incidentId, action, body = {}) {
  return api('/api/v1/incidents/' + encodeURIComponent(incidentId) + '/' + action + '?wait=true',
    {method: 'POST', body, idempotencyKey: randomId()});
}
