// The incidents list: filters in the URL, kept live by the change feed without a reload, worked with the keyboard.
import {api, command} from '../lib/api.js';
import {ago, h, replace, severityBadge, statusBadge} from '../lib/dom.js';
import {follow} from '../lib/feed.js';
import {canAct, currentSession, notify} from '../app.js';

const OPEN = ['TRIGGERED', 'ACKNOWLEDGED'];
const STATUSES = {open: OPEN, triggered: ['TRIGGERED'], acknowledged: ['ACKNOWLEDGED'], resolved: ['RESOLVED'], closed: ['CLOSED'], all: []};
const SEVERITIES = ['SEV0', 'SEV1', 'SEV2', 'SEV3', 'SEV4'];
const PAGE = 50;
/** More changes than this between two refreshes: the page is read again instead of each incident. */
const MAX_SINGLE_REFRESHES = 20;
const REFRESH_MS = 250;
/** The counts are read again at most this often while changes arrive. */
const COUNTS_MS = 2000;
const RETRY_MS = 2000;
/** Reads of an incident the feed told of that answer 404 (one a refresh) before its row is dropped: about 5 s. */
const MAX_MISSES = 20;
/** What an event says of the row at once, before the incident is read again: its status and the like. */
const STATUS_AFTER = {IncidentAcknowledged: 'ACKNOWLEDGED', IncidentUnacknowledged: 'TRIGGERED', IncidentResolved: 'RESOLVED',
  IncidentReopened: 'TRIGGERED', IncidentClosed: 'CLOSED'};

function filterOf(query) {
  return {
    status: STATUSES[query.get('status')] ? query.get('status') : 'open',
    severity: SEVERITIES.includes(query.get('severity')) ? query.get('severity') : '',
    service: query.get('service') || '',
    mine: query.get('mine') === '1',
    search: query.get('search') || '',
  };
}

function listQuery(filter) {
  const query = new URLSearchParams();
  STATUSES[filter.status].forEach(status => query.append('status', status));
  if (filter.severity) query.set('severity', filter.severity);
  if (filter.service) query.set('service', filter.service);
  if (filter.mine) query.set('assignee', 'me');
  if (filter.search) query.set('search', filter.search);
  return query;
}

/** Whether an incident belongs in the list, for the filters the browser can check (search it cannot). */
function matches(incident, filter) {
  const statuses = STATUSES[filter.status];
  return (statuses.length === 0 || statuses.includes(incident.status))
    && (!filter.severity || incident.severity === filter.severity)
    && (!filter.service || incident.service === filter.service)
    && (!filter.mine || incident.assigneeUserId === currentSession().user);
}

/** Newest first, as the API lists them. */
function newerFirst(a, b) {
  return Date.parse(b.openedAt) - Date.parse(a.openedAt) || (a.incidentId < b.incidentId ? 1 : -1);
}

export function render(main, params, query) {
  document.title = 'Incidents';
  const filter = filterOf(query);
  let incidents = [];
  let nextCursor = null;
  let selected = -1;
  let stopped = false;
  const dirty = new Set();
  const unreadable = new Map();
  let refreshTimer = null;
  let drawFrame = null;

  const status = h('p', {class: 'muted', role: 'status', 'aria-live': 'polite'});
  const counts = h('ul', {class: 'counts', 'aria-label': 'Open incidents by severity'});
  let countsTimer = null;
  let retryTimer = null;
  const body = h('tbody');
  const more = h('button', {type: 'button', hidden: true, onclick: () => load(false)}, 'Load more');

  function setFilter(change) {
    Object.assign(filter, change);
    const url = new URLSearchParams();
    if (filter.status !== 'open') url.set('status', filter.status);
    if (filter.severity) url.set('severity', filter.severity);
    if (filter.service) url.set('service', filter.service);
    if (filter.mine) url.set('mine', '1');
    if (filter.search) url.set('search', filter.search);
    history.replaceState(null, '', '/incidents' + (url.toString() ? '?' + url : ''));
    stopFeed();
    stopFeed = startFeed();
    load(true);
  }

  async function load(first) {
    const query = listQuery(filter);
    query.set('limit', String(first ? Math.max(PAGE, Math.min(incidents.length, 500)) : PAGE));
    if (!first && nextCursor) query.set('cursor', nextCursor);
    try {
      const page = await api('/api/v1/incidents?' + query);
      if (stopped) return;
      incidents = first ? page.incidents : incidents.concat(page.incidents);
      nextCursor = page.nextCursor;
      draw();
    } catch (e) {
      if (stopped) return;
      // An instance that is starting or rebalancing answers 503 for a moment: say so and try again.
      status.className = 'error';
      replace(status, 'The incidents could not be listed (' + e.message + '); trying again…');
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => load(first), RETRY_MS);
    }
  }

  async function refresh() {
    refreshTimer = null;
    const ids = [...dirty];
    dirty.clear();
    if (filter.search || ids.length > MAX_SINGLE_REFRESHES) {
      return load(true);
    }
    let failed = false;
    // Side by side: a burst of new incidents costs one round trip, not one per incident.
    const read = await Promise.all(ids.map(id => api('/api/v1/incidents/' + encodeURIComponent(id))
      .then(incident => ({id, incident}), error => ({id, error}))));
    if (stopped) return;
    for (const {id, incident, error} of read) {
      if (error) {
        // Not readable now: its instance is moving (a pause before the next try), or (404) the read side, a moment behind
        // the log the feed tails, has not taken in the incident the feed told of (read again at the next refresh, for a while).
        const misses = error.status === 404 ? (unreadable.get(id) || 0) + 1 : 0;
        if (error.status !== 404 || misses < MAX_MISSES) {
          unreadable.set(id, misses);
          dirty.add(id);
          failed = failed || error.status !== 404;
          continue;
        }
      }
      unreadable.delete(id);
      place(id, incident || null);
    }
    draw();
    if (dirty.size > 0 && refreshTimer === null) refreshTimer = setTimeout(refresh, failed ? RETRY_MS : REFRESH_MS);
  }

  /** The incident as read (null: gone) in its place in the list, or out of it when the filter no longer takes it. */
  function place(id, incident) {
    incidents = incidents.filter(known => known.incidentId !== id);
    if (incident && matches(incident, filter)) {
      incidents.push(incident);
      incidents.sort(newerFirst);
    }
  }

  /**
   * What the event itself says, drawn in the next frame: a new incident's row, a status, an assignee or a severity, so a change
   * shows as soon as the feed brings it. The incident is read again at the next refresh, which corrects the rest.
   */
  function applyAtOnce(event) {
    const p = event.payload;
    const known = incidents.find(incident => incident.incidentId === event.incidentId);
    if (p.type === 'IncidentOpened' && !known && !filter.search) {
      place(event.incidentId, {incidentId: event.incidentId, title: p.title, severity: p.severity, service: p.service,
        status: 'TRIGGERED', openedAt: event.timestamp, alertCount: null, drill: p.drill});
    } else if (known && (STATUS_AFTER[p.type] || p.type === 'IncidentAssigned' || p.type === 'SeverityChanged')) {
      const changed = Object.assign({}, known, STATUS_AFTER[p.type] ? {status: STATUS_AFTER[p.type]} : {},
        p.type === 'IncidentAssigned' && p.userId ? {assigneeUserId: p.userId} : {}, p.type === 'SeverityChanged' ? {severity: p.to} : {});
      place(event.incidentId, changed);
    } else {
      return;
    }
    if (drawFrame === null) drawFrame = requestAnimationFrame(() => {
      drawFrame = null;
      draw();
    });
  }

  function schedule() {
    if (refreshTimer === null) refreshTimer = setTimeout(refresh, REFRESH_MS);
    if (countsTimer === null) countsTimer = setTimeout(loadCounts, COUNTS_MS);
  }

  /** Open incidents per severity, each a link to the list of them. */
  async function loadCounts() {
    countsTimer = null;
    try {
      const answer = await api('/api/v1/incidents/counts');
      if (stopped) return;
      replace(counts, h('li', {}, h('a', {href: '/incidents'}, h('strong', {}, String(answer.open)), ' open')),
        h('li', {}, String(answer.byStatus.TRIGGERED), ' unacknowledged'),
        SEVERITIES.map(sev => h('li', {}, h('a', {href: '/incidents?severity=' + sev, class: answer.bySeverity[sev] ? '' : 'none'},
          severityBadge(sev), ' ', String(answer.bySeverity[sev])))));
    } catch (e) {
      // The counts are a summary: the list says what went wrong; try again shortly.
      if (!stopped && countsTimer === null) countsTimer = setTimeout(loadCounts, RETRY_MS);
    }
  }

  async function act(incident, action) {
    try {
      await command(incident.incidentId, action);
      dirty.add(incident.incidentId);
      schedule();
    } catch (e) {
      notify('Could not ' + action + ' ' + incident.incidentId + ': ' + e.message);
    }
  }

  function row(incident, index) {
    const actions = [];
    if (canAct() && incident.status === 'TRIGGERED') {
      actions.push(h('button', {type: 'button', onclick: () => act(incident, 'acknowledge')}, 'Acknowledge'));
    }
    if (canAct() && OPEN.includes(incident.status)) {
      actions.push(h('button', {type: 'button', onclick: () => act(incident, 'resolve')}, 'Resolve'));
    }
    return h('tr', {class: index === selected ? 'selected' : '', 'aria-selected': index === selected ? 'true' : 'false',
      dataset: {id: incident.incidentId}},
    h('td', {'data-label': 'Severity'}, severityBadge(incident.severity)),
    h('td', {'data-label': 'Incident'}, h('a', {href: '/incidents/' + encodeURIComponent(incident.incidentId), class: 'title'},
      incident.title), incident.drill ? h('span', {class: 'tag drill', title: 'A drill: an exercise, not a real incident'}, 'DRILL') : null,
      h('div', {class: 'muted small'}, incident.incidentId)),
    h('td', {'data-label': 'Service'}, incident.service || '—'),
    h('td', {'data-label': 'Status'}, statusBadge(incident.status)),
    h('td', {'data-label': 'Assignee'}, incident.assigneeUserId || '—'),
    h('td', {'data-label': 'Opened'}, ago(incident.openedAt)),
    h('td', {'data-label': 'Alerts', class: 'number'}, incident.alertCount === null ? '…' : String(incident.alertCount)),
    h('td', {class: 'actions'}, actions));
  }

  function draw() {
    selected = Math.min(selected, incidents.length - 1);
    const focusedId = document.activeElement && document.activeElement.closest('tr') ? document.activeElement.closest('tr').dataset.id : null;
    replace(body, incidents.map(row));
    more.hidden = !nextCursor;
    status.className = 'muted';
    replace(status, incidents.length === 0 ? 'No incidents match.'
      : incidents.length + (nextCursor ? '+' : '') + (incidents.length === 1 ? ' incident' : ' incidents'));
    if (focusedId) {
      const link = body.querySelector('tr[data-id="' + CSS.escape(focusedId) + '"] a.title');
      if (link) link.focus();
    }
  }

  function select(index) {
    if (incidents.length === 0) return;
    selected = Math.max(0, Math.min(incidents.length - 1, index));
    body.querySelectorAll('tr').forEach((tr, i) => {
      tr.classList.toggle('selected', i === selected);
      tr.setAttribute('aria-selected', i === selected ? 'true' : 'false');
    });
    body.querySelectorAll('tr')[selected].querySelector('a.title').focus();
  }

  function onKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest('input, select, textarea')) return;
    const current = incidents[selected];
    if (event.key === 'j') select(selected + 1);
    else if (event.key === 'k') select(selected - 1);
    else if (event.key === '/') {
      event.preventDefault();
      main.querySelector('#search').focus();
      return;
    } else if (event.key === 'a' && current && canAct() && current.status === 'TRIGGERED') act(current, 'acknowledge');
    else if (event.key === 'r' && current && canAct() && OPEN.includes(current.status)) act(current, 'resolve');
    else return;
    event.preventDefault();
  }

  const statusSelect = h('select', {id: 'status', onchange: e => setFilter({status: e.target.value})},
    Object.keys(STATUSES).map(name => h('option', {value: name, selected: name === filter.status}, name)));
  const severitySelect = h('select', {id: 'severity', onchange: e => setFilter({severity: e.target.value})},
    h('option', {value: ''}, 'any'), SEVERITIES.map(sev => h('option', {value: sev, selected: sev === filter.severity}, sev)));
  const service = h('input', {id: 'service', type: 'text', value: filter.service, placeholder: 'any', autocomplete: 'off'});
  const search = h('input', {id: 'search', type: 'search', value: filter.search, placeholder: 'title, service, labels', autocomplete: 'off'});
  const mine = h('input', {id: 'mine', type: 'checkbox', checked: filter.mine, onchange: e => setFilter({mine: e.target.checked})});
  const form = h('form', {class: 'filters', role: 'search', onsubmit: e => {
    e.preventDefault();
    setFilter({service: service.value.trim(), search: search.value.trim()});
  }},
  h('label', {for: 'status'}, 'Status'), statusSelect,
  h('label', {for: 'severity'}, 'Severity'), severitySelect,
  h('label', {for: 'service'}, 'Service'), service,
  h('label', {for: 'search'}, 'Search'), search,
  h('span', {class: 'check'}, mine, h('label', {for: 'mine'}, 'Assigned to me')),
  h('button', {type: 'submit'}, 'Apply'));

  replace(main,
    h('h1', {}, 'Incidents'),
    counts,
    form,
    h('p', {class: 'muted small keys'}, 'Keys: j / k move, Enter opens', canAct() ? ', a acknowledges, r resolves' : '', ', / searches.'),
    status,
    h('table', {class: 'incidents'},
      h('caption', {class: 'visually-hidden'}, 'Incidents, newest first'),
      h('thead', {}, h('tr', {},
        ['Severity', 'Incident', 'Service', 'Status', 'Assignee', 'Opened', 'Alerts'].map(name => h('th', {scope: 'col'}, name)),
        h('th', {scope: 'col'}, h('span', {class: 'visually-hidden'}, 'Actions')))),
      body),
    more);

  // Followed before the list is read, so no change falls between the two; the feed sends the event
  // that takes an incident out of a status filter too.
  function startFeed() {
    const feedParams = new URLSearchParams();
    STATUSES[filter.status].forEach(s => feedParams.append('status', s));
    if (filter.service) feedParams.set('service', filter.service);
    return follow(feedParams, change => {
      applyAtOnce(change.event);
      dirty.add(change.incidentId);
      schedule();
    }, () => {
      load(true);
      loadCounts();
    });
  }

  document.addEventListener('keydown', onKey);
  let stopFeed = startFeed();
  const ticker = setInterval(draw, 30000);
  load(true);
  loadCounts();

  return () => {
    stopped = true;
    stopFeed();
    clearInterval(ticker);
    clearTimeout(refreshTimer);
    cancelAnimationFrame(drawFrame);
    clearTimeout(countsTimer);
    clearTimeout(retryTimer);
    document.removeEventListener('keydown', onKey);
  };
}
