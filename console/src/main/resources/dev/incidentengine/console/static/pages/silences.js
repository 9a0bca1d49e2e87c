// Silences: what is held back now and soon, new ones written as Alertmanager matchers, and expiring them.
import {api, randomId} from '../lib/api.js';
import {h, replace, severityBadge} from '../lib/dom.js';
import {canAct, notify} from '../app.js';

const OPS = {EQUAL: '=', NOT_EQUAL: '!=', REGEX: '=~', NOT_REGEX: '!~'};

function matcherText(m) {
  return m.label + OPS[m.op] + JSON.stringify(m.value);
}

function plural(n, one, many) {
  return n.toLocaleString() + ' ' + (n === 1 ? one : many);
}

function when(iso) {
  return iso ? h('time', {datetime: iso}, new Date(iso).toLocaleString()) : '—';
}

export function render(main, params, query) {
  document.title = 'Silences';
  const showExpired = query.get('state') === 'all';
  const body = h('tbody');
  const status = h('p', {class: 'muted', role: 'status', 'aria-live': 'polite'});
  let stopped = false;

  async function load() {
    try {
      const answer = await api('/api/v1/silences' + (showExpired ? '?state=active,pending,expired' : ''));
      if (stopped) return;
      replace(body, answer.silences.map(row));
      replace(status, answer.silences.length === 0 ? 'No silences.' : answer.silences.length + (answer.silences.length === 1 ? ' silence' : ' silences'));
    } catch (e) {
      if (!stopped) replace(status, 'The silences could not be listed: ' + e.message);
    }
  }

  async function expire(silence) {
    try {
      await api('/api/v1/silences/' + encodeURIComponent(silence.id) + '?wait=true', {method: 'DELETE'});
      await load();
    } catch (e) {
      notify('Could not expire ' + silence.id + ': ' + e.message);
    }
  }

  function row(silence) {
    return h('tr', {dataset: {id: silence.id}},
      h('td', {'data-label': 'State'}, h('span', {class: 'status status-' + silence.state}, silence.state)),
      h('td', {'data-label': 'Matchers'}, h('ul', {class: 'labels'}, silence.matchers.map(m => h('li', {}, matcherText(m))))),
      h('td', {'data-label': 'Starts'}, when(silence.startsAt)),
      h('td', {'data-label': 'Ends'}, silence.weekly ? 'weekly window' : when(silence.endsAt)),
      h('td', {'data-label': 'By'}, silence.author),
      h('td', {'data-label': 'Comment'}, silence.comment),
      h('td', {class: 'actions'}, canAct() && silence.state !== 'expired' && !silence.weekly
        ? h('button', {type: 'button', onclick: () => expire(silence)}, 'Expire') : null));
  }

  const error = h('p', {class: 'error', role: 'alert', id: 'silence-error'});
  const matchers = h('textarea', {id: 'silence-matchers', name: 'matchers', rows: 3, required: true,
    'aria-describedby': 'silence-help silence-error silence-preview-summary', placeholder: 'service="checkout"\nenv=~"prod|staging"',
    oninput: () => {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(preview, 300);
    }});

  // The preview: which firing alerts of open incidents these matchers take, judged by the engine's own silence check.
  const IDLE = 'Write matchers to see which firing alerts they match.';
  const previewSummary = h('p', {id: 'silence-preview-summary', class: 'muted', role: 'status', 'aria-live': 'polite'}, IDLE);
  const previewList = h('ul', {class: 'alerts preview', id: 'silence-preview-alerts', 'aria-label': 'Matching firing alerts'});
  let previewTimer = null;
  let previewed = 0;

  /** The non-empty matcher lines, with their line numbers for errors. */
  function matcherLines() {
    return matchers.value.split('\n').map((text, i) => ({text: text.trim(), line: i + 1})).filter(line => line.text.length > 0);
  }

  function showPreview(summary, isError, items = []) {
    previewSummary.className = isError ? 'error' : 'muted';
    replace(previewSummary, summary);
    replace(previewList, items);
  }

  async function preview() {
    const asked = ++previewed;
    const lines = matcherLines();
    if (lines.length === 0) {
      showPreview(IDLE, false);
      return;
    }
    try {
      const answer = await api('/api/v1/silences/preview?' + lines.map(line => 'matchers=' + encodeURIComponent(line.text)).join('&'));
      if (stopped || asked !== previewed) return;
      let summary = (answer.truncated ? 'At least ' : '') + plural(answer.matchingAlerts, 'firing alert', 'firing alerts') + ' in '
        + plural(answer.matchingIncidents, 'open incident', 'open incidents') + (answer.matchingAlerts === 1 ? ' matches' : ' match');
      if (answer.truncated) summary += ' (the preview reads at most ' + answer.limits.scannedAlertsPerInstance.toLocaleString()
        + ' alerts per instance, ' + answer.limits.scannedAlertsPerIncident.toLocaleString() + ' of one incident, newest incidents first)';
      if (answer.alerts.length < answer.matchingAlerts) summary += '; the first ' + answer.alerts.length + ' are listed';
      showPreview(summary + '.', false, answer.alerts.map(previewItem));
    } catch (e) {
      if (stopped || asked !== previewed) return;
      // matchers[i] names the i-th non-empty line.
      const at = /^matchers\[(\d+)\]/.exec(e.field || '');
      const where = at && lines[Number(at[1])] ? 'Line ' + lines[Number(at[1])].line + ': ' : (e.field ? e.field + ': ' : '');
      showPreview(e.status === 400 ? where + e.message : 'The preview could not be read: ' + e.message, true);
    }
  }

  function previewItem(alert) {
    return h('li', {dataset: {fingerprint: alert.fingerprint}},
      severityBadge(alert.severity), ' ', h('strong', {}, alert.summary),
      h('div', {class: 'small'}, h('a', {href: '/incidents/' + encodeURIComponent(alert.incidentId)}, alert.incidentId), ' ', alert.incidentTitle),
      h('ul', {class: 'labels', 'aria-label': 'Labels'}, Object.entries(alert.labels).map(([name, value]) => h('li', {}, name + '=' + value))));
  }
  const duration = h('input', {id: 'silence-duration', name: 'duration', value: '2h', required: true, size: 8});
  const comment = h('input', {id: 'silence-comment', name: 'comment', required: true, size: 40});
  const form = h('form', {class: 'silence-form', onsubmit: async event => {
    event.preventDefault();
    replace(error);
    const lines = matchers.value.split('\n').map(line => line.trim()).filter(line => line.length > 0);
    try {
      await api('/api/v1/silences?wait=true', {method: 'POST', idempotencyKey: randomId(),
        body: {matchers: lines, duration: duration.value.trim(), comment: comment.value.trim()}});
      form.reset();
      duration.value = '2h';
      clearTimeout(previewTimer);
      preview();
      await load();
    } catch (e) {
      replace(error, (e.field ? e.field + ': ' : '') + e.message);
    }
  }},
  h('h2', {}, 'New silence'),
  h('div', {class: 'field'}, h('label', {for: 'silence-matchers'}, 'Matchers, one per line'), matchers,
    h('span', {class: 'muted small', id: 'silence-help'}, 'As in Alertmanager: label="value", label!="value", label=~"regex", label!~"regex".')),
  h('section', {class: 'silence-preview', 'aria-labelledby': 'silence-preview-title'},
    h('h3', {id: 'silence-preview-title'}, 'Firing alerts these matchers take'),
    h('p', {class: 'muted small'}, 'The silence holds them back when they next fire; the incidents open now stay open.'),
    previewSummary, previewList),
  h('div', {class: 'field'}, h('label', {for: 'silence-duration'}, 'For (2h, 1h30m, 1d)'), duration),
  h('div', {class: 'field'}, h('label', {for: 'silence-comment'}, 'Comment'), comment),
  h('button', {type: 'submit', class: 'primary'}, 'Silence'),
  error);

  replace(main,
    h('h1', {}, 'Silences'),
    h('p', {}, showExpired ? h('a', {href: '/silences'}, 'Active and pending only') : h('a', {href: '/silences?state=all'}, 'Show expired too')),
    status,
    h('table', {class: 'incidents silences'},
      h('caption', {class: 'visually-hidden'}, 'Silences'),
      h('thead', {}, h('tr', {}, ['State', 'Matchers', 'Starts', 'Ends', 'By', 'Comment'].map(name => h('th', {scope: 'col'}, name)),
        h('th', {scope: 'col'}, h('span', {class: 'visually-hidden'}, 'Actions')))),
      body),
    canAct() ? form : null);
  load();
  return () => {
    stopped = true;
    clearTimeout(previewTimer);
  };
}
