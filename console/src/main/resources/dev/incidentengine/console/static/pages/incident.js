// One incident: what it is, what can be done, and what happened, kept live by the change feed.
import {api, command} from '../lib/api.js';
import {ago, duration, h, replace, safeLink, severityBadge, statusBadge} from '../lib/dom.js';
import {follow} from '../lib/feed.js';
import {markdown} from '../lib/markdown.js';
import {publicationPanel} from './publication.js';
import {runbooksPanel} from './runbooks.js';
import {canAct, notify} from '../app.js';

const SEVERITIES = ['SEV0', 'SEV1', 'SEV2', 'SEV3', 'SEV4'];
const EVENTS_PAGE = 100;

function actorName(actor) {
  return actor ? (actor.name || actor.id) + (actor.type === 'USER' ? '' : ' (' + actor.type.toLowerCase() + ')') : '';
}

/** An event of the log as a line of the timeline. */
function describe(event) {
  const p = event.payload;
  switch (p.type) {
    case 'IncidentOpened': return ['Opened: ', p.title, p.service ? ' on ' + p.service : ''];
    case 'AlertAttached': return ['Alert ', p.alert.status.toLowerCase(), ': ', p.alert.summary];
    case 'AlertResolved': return ['Alert resolved (', p.fingerprint, ')'];
    case 'IncidentAcknowledged': return ['Acknowledged', p.message ? ': ' + p.message : ''];
    case 'IncidentUnacknowledged': return ['Acknowledgement expired', p.reason ? ': ' + p.reason : ''];
    case 'IncidentEscalated': return ['Escalated to level ', String(p.level), ' of ', p.policyId, ', round ', String(p.round), ': ',
      (p.targets || []).map(t => t.id || t.targetId || JSON.stringify(t)).join(', ')];
    case 'EscalationExhausted': return ['Escalation exhausted after ', String(p.rounds), ' rounds of ', p.policyId];
    case 'IncidentAssigned': return ['Assigned to ', p.userId || ('policy ' + p.escalationPolicyId)];
    case 'SeverityChanged': return ['Severity ', p.from, ' → ', p.to, p.reason ? ': ' + p.reason : ''];
    case 'IncidentTypeChanged': return p.from ? ['Type ', p.from, ' → ', p.to] : ['Type set to ', p.to];
    case 'NoteAdded': return ['Note: ', p.text];
    case 'StatusUpdatePosted': return ['Status update: ', p.message];
    case 'IncidentSnoozed': return ['Snoozed until ', new Date(p.until).toLocaleString()];
    case 'IncidentResolved': return ['Resolved', p.resolution ? ': ' + p.resolution : ''];
    case 'IncidentReopened': return ['Reopened', p.reason ? ': ' + p.reason : ''];
    case 'IncidentMerged': return ['Merged into ', h('a', {href: '/incidents/' + encodeURIComponent(p.targetIncidentId)}, p.targetIncidentId)];
    case 'IncidentClosed': return ['Closed', p.reason ? ': ' + p.reason : ''];
    case 'NotificationDelivered': return ['Paged ', p.target, ' by ', p.channel.toLowerCase()];
    case 'NotificationFailed': return ['Page to ', p.target, ' by ', p.channel.toLowerCase(), ' failed: ', p.error];
    case 'CommandRejected': return ['Refused ', p.commandType, ': ', p.reason];
    case 'IncidentFlapping': return [p.flapping ? 'Flapping: alerts fire and resolve repeatedly' : 'No longer flapping'];
    case 'ReviewRequired': return [p.required ? 'Review required' : 'Review recommended', ', due ', new Date(p.dueAt).toLocaleDateString(),
      p.reason ? ': ' + p.reason : ''];
    case 'ActionItemAdded': return ['Action item: ', p.title, ' (', p.owner, ')'];
    case 'ActionItemCompleted': return ['Action item done: ', p.actionItemId];
    case 'ReviewPublished': return ['Review published: ', safeLink(p.url)];
    case 'IncidentPublished': return [p.automatic ? 'Published automatically' : 'Published', ' on the status page (',
      p.status.toLowerCase(), ', ', p.impact.toLowerCase(), ' impact): ', p.title, ' — ', p.message];
    case 'PublicUpdatePosted': return [p.automatic ? 'Public update (automatic), ' : 'Public update, ', p.status.toLowerCase(), ': ', p.message];
    case 'TicketLinked': return [p.ticket.actionItemId ? 'Ticket for ' + p.ticket.actionItemId + ': ' : 'Ticket: ',
      safeLink(p.ticket.url, p.ticket.key), ' (', p.ticket.system, ')'];
    case 'RunbookAttached': return ['Runbook ', p.matched ? 'matched: ' : 'attached: ', p.title, ' (', String(p.steps.length), ' steps)'];
    case 'RunbookStepMarked': return ['Runbook ', p.runbookId, ' step ', String(p.step), ' ', p.outcome.toLowerCase(), p.note ? ': ' + p.note : ''];
    case 'RoleAssigned': return ['Role ', p.role, p.previousUserId == null ? ' taken by ' + p.userId
      : p.userId == null ? ' released by ' + p.previousUserId : ' handed over from ' + p.previousUserId + ' to ' + p.userId,
      p.reason ? ': ' + p.reason : ''];
    case 'RoleRequested': return ['Role ', p.role, ' requested: ', p.reason, ' — ',
      (p.targets || []).map(t => t.id).join(', ') || 'nobody to page'];
    case 'WarRoomLinked': return ['War room: ', safeLink(p.room.url, p.room.name), ' (', p.room.system, ')'];
    case 'WarRoomArchived': return ['War room archived'];
    case 'PublicUpdateMissed': return ['Public update missed (due ', new Date(p.dueAt).toLocaleString(), ')',
      p.remind ? ': reminding ' + p.remind : ''];
    default: return [p.type];
  }
}

function timelineItem(event) {
  return h('li', {class: 'event event-' + event.payload.type, dataset: {sequence: String(event.sequence)}},
    h('time', {datetime: event.timestamp, title: new Date(event.timestamp).toLocaleString()}, new Date(event.timestamp).toLocaleTimeString()),
    h('span', {class: 'actor'}, actorName(event.actor)),
    h('span', {class: 'what'}, describe(event)));
}

function fact(name, ...value) {
  return [h('dt', {}, name), h('dd', {}, value)];
}

/** A labelled one-field form that runs a command. */
function commandForm(summary, fields, submit) {
  const error = h('p', {class: 'error', role: 'alert'});
  const form = h('form', {onsubmit: async event => {
    event.preventDefault();
    replace(error);
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await submit(new FormData(form));
      form.reset();
      form.closest('details').open = false;
    } catch (e) {
      replace(error, e.message);
    } finally {
      button.disabled = false;
    }
  }}, fields, h('button', {type: 'submit', class: 'primary'}, summary), error);
  return h('details', {class: 'command'}, h('summary', {}, summary), form);
}

function field(id, label, input) {
  return h('div', {class: 'field'}, h('label', {for: id}, label), input);
}

export function render(main, params) {
  const id = params.id;
  let incident = null;
  let stopped = false;
  const seen = new Set();
  const header = h('section', {class: 'incident-header', 'aria-labelledby': 'incident-title'});
  const actions = h('section', {class: 'incident-actions', 'aria-label': 'Actions'});
  const timeline = h('ol', {class: 'timeline', 'aria-live': 'polite', 'aria-relevant': 'additions'});
  const olderEvents = h('button', {type: 'button', hidden: true}, 'Older events');
  const alertList = h('ul', {class: 'alerts'});
  const moreAlerts = h('button', {type: 'button', hidden: true}, 'More alerts');
  const review = h('section', {class: 'review', 'aria-labelledby': 'review-title'});
  // Kept across redraws of the review section, so an open document stays open and read.
  const postmortemPath = '/api/v1/incidents/' + encodeURIComponent(id) + '/postmortem';
  const reviewBody = h('div', {});
  const reviewDocument = h('details', {class: 'review-document'}, h('summary', {}, 'Review document'), reviewBody);
  reviewDocument.addEventListener('toggle', () => reviewDocument.open && loadReviewDocument());
  let reviewReads = 0;
  const publication = publicationPanel(id, {canAct, run: (action, body) => run(action, body), commandForm, field});
  const runbooks = runbooksPanel(id, {canAct, notify, reload: () => load()});
  let eventsCursor = null;
  let typeOptions = null;
  let roleOptions = null;
  let alertsCursor = null;

  async function run(action, body) {
    try {
      await command(id, action, body);
      await load();
    } catch (e) {
      notify('Could not ' + action + ': ' + e.message);
      throw e;
    }
  }

  function drawHeader() {
    document.title = incident.incidentId + ' · ' + incident.title;
    const incidentTickets = (incident.tickets || []).filter(t => !t.actionItemId);
    const now = Date.now();
    const targets = incident.responseTargets;
    const ackBy = Date.parse(incident.openedAt) + targets.acknowledgeSeconds * 1000;
    const resolveBy = Date.parse(incident.openedAt) + targets.resolveSeconds * 1000;
    replace(header,
      h('p', {class: 'muted'}, h('a', {href: '/incidents'}, 'Incidents'), ' / ', incident.incidentId),
      h('h1', {id: 'incident-title'}, incident.title),
      h('p', {class: 'badges'}, statusBadge(incident.status), ' ', severityBadge(incident.severity),
        incident.drill ? h('span', {class: 'tag drill', title: 'A drill (scenario ' + incident.drill + '): an exercise, not a real incident'},
          'DRILL: ' + incident.drill) : null,
        incident.flapping ? h('span', {class: 'tag'}, 'flapping') : null,
        incident.snoozedUntil && Date.parse(incident.snoozedUntil) > now ? h('span', {class: 'tag'}, 'snoozed') : null),
      h('dl', {class: 'facts'},
        fact('Service', incident.service || '—'),
        fact('Type', incident.incidentType || '—'),
        fact('Tier', incident.tier || '—', targets.fromTier ? '' : ' (engine default targets)'),
        fact('Assignee', incident.assigneeUserId || '—'),
        fact('Roles', roleHolders()),
        fact('Escalation policy', incident.escalationPolicyId || '—', incident.escalationLevel != null ? ' (level ' + incident.escalationLevel + ')' : ''),
        fact('Age', duration(now - Date.parse(incident.openedAt)), ' (opened ', new Date(incident.openedAt).toLocaleString(), ')'),
        fact('Acknowledge within', duration(targets.acknowledgeSeconds * 1000),
          incident.acknowledgedAt ? tookWithin('acknowledged', incident.acknowledgedAt, ackBy)
            : now > ackBy ? h('strong', {class: 'late'}, ' (overdue)') : ' (' + duration(ackBy - now) + ' left)'),
        fact('Resolve within', duration(targets.resolveSeconds * 1000),
          incident.resolvedAt ? tookWithin('resolved', incident.resolvedAt, resolveBy)
            : now > resolveBy ? h('strong', {class: 'late'}, ' (overdue)') : ' (' + duration(resolveBy - now) + ' left)'),
        fact('Alerts', incident.firingAlertCount + ' firing of ' + incident.alertCount),
        incidentTickets.length ? fact('Tickets', incidentTickets.map((t, i) => [i ? ', ' : '', safeLink(t.url, t.key), ' (', t.system, ')'])) : null,
        incident.warRoom ? fact('War room', safeLink(incident.warRoom.url, incident.warRoom.name), ' (', incident.warRoom.system,
          incident.warRoomArchivedAt ? ', archived' : '', ')') : null,
        incident.mergedInto ? fact('Merged into', h('a', {href: '/incidents/' + encodeURIComponent(incident.mergedInto)}, incident.mergedInto)) : null));
  }

  /** Who holds each role, and the roles paged for because nobody took them. */
  function roleHolders() {
    const held = Object.entries(incident.roles || {}).sort().map(([role, user]) => role + ': ' + user);
    const requested = Object.keys(incident.roleRequests || {}).sort().map(role => role + ': nobody yet (paged)');
    const all = held.concat(requested);
    return all.length ? all.join(', ') : '—';
  }

  /** The roles config knows, as suggestions for the role form; read once a page. */
  function roleNames() {
    if (!roleOptions) {
      roleOptions = h('datalist', {id: 'incident-roles'});
      api('/api/v1/roles').then(answer => replace(roleOptions, answer.roles.map(r => h('option', {value: r.id}, r.name))))
        .catch(() => {});
    }
    return roleOptions;
  }

  /** A role is taken or handed over with PUT (answered once decided); an empty user releases it. */
  async function setRole(role, userId) {
    const path = '/api/v1/incidents/' + encodeURIComponent(id) + '/roles/' + encodeURIComponent(role);
    try {
      await api(path, userId ? {method: 'PUT', body: {userId}} : {method: 'DELETE'});
      await load();
    } catch (e) {
      notify('Could not change the role: ' + e.message);
      throw e;
    }
  }

  /** How long it took; a target missed is highlighted as a breach. */
  function tookWithin(what, at, by) {
    const took = ' (' + what + ' after ' + duration(Date.parse(at) - Date.parse(incident.openedAt));
    return Date.parse(at) > by ? h('strong', {class: 'late'}, took + ': target missed)') : took + ')';
  }

  /** The types config knows, as suggestions for the type form; read once a page. */
  function incidentTypes() {
    if (!typeOptions) {
      typeOptions = h('datalist', {id: 'incident-types'});
      api('/api/v1/incident-types').then(answer => replace(typeOptions, answer.incidentTypes.map(t => h('option', {value: t.id}, t.name))))
        .catch(() => {});
    }
    return typeOptions;
  }

  /** A type is set with PUT, answered once the engine decided (an unknown type is refused before). */
  async function setType(type) {
    try {
      await api('/api/v1/incidents/' + encodeURIComponent(id) + '/type', {method: 'PUT', body: {incidentType: type}});
      await load();
    } catch (e) {
      notify('Could not set the type: ' + e.message);
      throw e;
    }
  }

  function drawActions() {
    if (!canAct()) {
      replace(actions);
      return;
    }
    const status = incident.status;
    const open = status === 'TRIGGERED' || status === 'ACKNOWLEDGED';
    const button = (label, action, show) => show ? h('button', {type: 'button', class: 'primary', onclick: () => run(action, {}).catch(() => {})}, label) : null;
    replace(actions, h('h2', {class: 'visually-hidden'}, 'Actions'),
      h('div', {class: 'buttons'},
        button('Acknowledge', 'acknowledge', status === 'TRIGGERED'),
        button('Resolve', 'resolve', open),
        button('Reopen', 'reopen', status === 'RESOLVED'),
        button('Close', 'close', status === 'RESOLVED')),
      h('div', {class: 'forms'},
        commandForm('Reassign', [
          field('assign-user', 'User', h('input', {id: 'assign-user', name: 'userId', autocomplete: 'off'})),
          field('assign-policy', 'or escalation policy', h('input', {id: 'assign-policy', name: 'escalationPolicyId', autocomplete: 'off'}))],
        data => run('assign', data.get('userId') ? {userId: data.get('userId')} : {escalationPolicyId: data.get('escalationPolicyId')})),
        commandForm('Change severity', [
          field('severity-to', 'Severity', h('select', {id: 'severity-to', name: 'severity'},
            SEVERITIES.map(s => h('option', {value: s, selected: s === incident.severity}, s)))),
          field('severity-reason', 'Reason', h('input', {id: 'severity-reason', name: 'reason'}))],
        data => run('severity', {severity: data.get('severity'), reason: data.get('reason') || undefined})),
        commandForm('Set type', [field('type-to', 'Type', h('input', {id: 'type-to', name: 'incidentType', list: 'incident-types',
          required: true, autocomplete: 'off', value: incident.incidentType || ''})), incidentTypes()],
        data => setType(data.get('incidentType'))),
        commandForm('Take or hand over a role', [field('role-id', 'Role', h('input', {id: 'role-id', name: 'role', list: 'incident-roles',
          required: true, autocomplete: 'off', value: 'commander'})), roleNames(),
        field('role-user', 'User (empty: release)', h('input', {id: 'role-user', name: 'userId', autocomplete: 'off'}))],
        data => setRole(data.get('role'), data.get('userId'))),
        commandForm('Add note', [field('note-text', 'Note', h('textarea', {id: 'note-text', name: 'text', required: true, rows: 3}))],
          data => run('notes', {text: data.get('text')})),
        commandForm('Post status update', [field('update-text', 'Update for stakeholders',
          h('textarea', {id: 'update-text', name: 'message', required: true, rows: 3}))],
        data => run('status-updates', {message: data.get('message')})),
        open ? commandForm('Snooze', [field('snooze-minutes', 'Minutes', h('input', {id: 'snooze-minutes', name: 'minutes', type: 'number',
          min: 1, max: 10080, value: 60, required: true}))], data => run('snooze', {minutes: Number(data.get('minutes'))})) : null,
        open ? commandForm('Merge into', [field('merge-into', 'Incident id', h('input', {id: 'merge-into', name: 'into', required: true,
          autocomplete: 'off'}))], data => run('merge', {into: data.get('into')})) : null));
  }

  function alertItem(attached) {
    const alert = attached.alert;
    const annotations = alert.annotations || {};
    const runbook = annotations.runbook_url || annotations.runbook;
    return h('li', {class: 'alert alert-' + attached.status.toLowerCase()},
      h('div', {}, statusBadge(attached.status), ' ', severityBadge(attached.severity), ' ', h('strong', {}, attached.summary)),
      alert.description ? h('p', {class: 'description'}, alert.description) : null,
      h('ul', {class: 'labels', 'aria-label': 'Labels'}, Object.entries(alert.labels || {}).map(([k, v]) => h('li', {}, k + '=' + v))),
      h('p', {class: 'links'}, runbook ? safeLink(runbook, 'Runbook') : null,
        (alert.links || []).map(link => [' ', safeLink(link.href, link.text || link.href)])),
      h('p', {class: 'muted small'}, 'Attached ', ago(attached.attachedAt), attached.resolvedAt ? [', resolved ', ago(attached.resolvedAt)] : '',
        ' · ', alert.source || '', ' · ', alert.fingerprint));
  }

  function drawReview() {
    const r = incident.review;
    const items = incident.actionItems || [];
    const title = h('h2', {id: 'review-title'}, 'Post-incident review');
    const state = !r ? h('p', {class: 'muted'}, 'No review asked for.')
      : h('p', {}, r.required ? 'Required' : 'Recommended', ', due ', new Date(r.dueAt).toLocaleDateString(),
        r.url ? [' · published: ', safeLink(r.url)] : ' · not published yet');
    const list = items.length ? h('ul', {class: 'action-items'}, items.map(item => h('li', {},
      item.completedAt ? h('s', {}, item.title) : item.title, ' — ', item.owner, ', ', item.priority.toLowerCase(), ', due ',
      new Date(item.dueAt).toLocaleDateString(), item.link ? [' ', safeLink(item.link, 'link')] : '',
      (incident.tickets || []).filter(t => t.actionItemId === item.actionItemId).map(t => [' ', safeLink(t.url, t.key)]),
      !item.completedAt && canAct() ? [' ', h('button', {type: 'button', class: 'link',
        onclick: () => run('complete-action-item', {actionItemId: item.actionItemId}).catch(() => {})}, 'Done')] : ''))) : null;
    replace(review, title, state, list, reviewDocument,
      h('p', {}, h('a', {href: postmortemPath, download: id + '-postmortem.md'}, 'Download Markdown')),
      canAct() ? reviewForms(r) : null,
      h('p', {class: 'muted small'}, 'With its notifications\' deliveries, from a terminal: ', h('code', {}, 'incidentctl postmortem ' + id)));
  }

  /** The review document, written by the engine from the log when opened (a storm's log is a big read) and on Refresh, not on every change. */
  async function loadReviewDocument() {
    const read = ++reviewReads;
    replace(reviewBody, h('p', {class: 'muted'}, 'Writing the review…'));
    try {
      const text = await api(postmortemPath, {text: true});
      if (stopped || read !== reviewReads) return;
      replace(reviewBody, h('p', {class: 'muted small'}, 'Written ', new Date().toLocaleTimeString(), ' · ',
        h('button', {type: 'button', class: 'link', onclick: () => loadReviewDocument()}, 'Refresh')),
      h('div', {class: 'markdown'}, markdown(text, {headingOffset: 2})));
    } catch (e) {
      if (!stopped && read === reviewReads) replace(reviewBody, h('p', {role: 'alert'}, 'The review could not be written (' + e.message + ').'));
    }
  }

  /** Ask for a review, add action items, link the published document. Dates are the viewer's local midnight. */
  function reviewForms(r) {
    const inDays = days => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
    const dueAt = day => new Date(day + 'T00:00').toISOString();
    return h('div', {class: 'forms'},
      !r || !r.required && !r.url ? commandForm('Require a review', [
        field('review-due', 'Due', h('input', {id: 'review-due', name: 'due', type: 'date', min: inDays(1), value: inDays(7), required: true})),
        field('review-reason', 'Reason', h('input', {id: 'review-reason', name: 'reason'}))],
      data => run('require-review', {due: dueAt(data.get('due')), reason: data.get('reason') || undefined})) : null,
      commandForm('Add action item', [
        field('item-title', 'Action', h('input', {id: 'item-title', name: 'title', required: true, maxlength: 300})),
        field('item-owner', 'Owner', h('input', {id: 'item-owner', name: 'owner', required: true, autocomplete: 'off'})),
        field('item-due', 'Due', h('input', {id: 'item-due', name: 'due', type: 'date', min: inDays(1), value: inDays(14), required: true})),
        field('item-priority', 'Priority', h('select', {id: 'item-priority', name: 'priority'},
          ['HIGH', 'MEDIUM', 'LOW'].map(p => h('option', {value: p, selected: p === 'MEDIUM'}, p.toLowerCase())))),
        field('item-link', 'Link (a ticket)', h('input', {id: 'item-link', name: 'link', type: 'url'}))],
      data => run('action-items', {title: data.get('title'), owner: data.get('owner'), due: dueAt(data.get('due')),
        priority: data.get('priority'), link: data.get('link') || undefined})),
      r && !r.url ? commandForm('Publish the review', [
        field('review-url', 'Link to the document', h('input', {id: 'review-url', name: 'url', type: 'url', required: true}))],
      data => run('publish-review', {url: data.get('url')})) : null);
  }

  /** Newest first: a page of older events goes below, a live one on top. */
  function addEvents(events, {live = false} = {}) {
    const fresh = events.filter(e => !seen.has(e.eventId));
    fresh.forEach(e => seen.add(e.eventId));
    if (live) timeline.prepend(...fresh.reverse().map(timelineItem));
    else timeline.append(...fresh.map(timelineItem));
  }

  async function load() {
    try {
      incident = await api('/api/v1/incidents/' + encodeURIComponent(id));
    } catch (e) {
      if (stopped) return;
      if (e.status === 404) {
        replace(main, h('h1', {}, 'No incident ' + id), h('p', {}, h('a', {href: '/incidents'}, 'Back to the incidents')));
        stopped = true;
        stopFeed();
        return;
      }
      // An instance that is starting or rebalancing answers 503 for a moment: say so and try again.
      notify('The incident could not be read (' + e.message + '); trying again…');
      clearTimeout(retryTimer);
      retryTimer = setTimeout(load, 2000);
      return;
    }
    if (stopped) return;
    notify(null);
    drawHeader();
    drawActions();
    drawReview();
    publication.draw(incident).catch(e => notify(e.message));
    runbooks.draw(incident).catch(e => notify(e.message));
  }

  /** The log newest first, a page at a time: a big incident's latest events come first, not its first thousand alerts. */
  async function loadEvents() {
    const query = new URLSearchParams({limit: String(EVENTS_PAGE), order: 'newest'});
    if (eventsCursor) query.set('cursor', eventsCursor);
    const page = await api('/api/v1/incidents/' + encodeURIComponent(id) + '/events?' + query);
    if (stopped) return;
    addEvents(page.events);
    eventsCursor = page.nextCursor;
    olderEvents.hidden = !eventsCursor;
  }

  async function loadAlerts(first) {
    const query = new URLSearchParams({limit: '20'});
    if (!first) query.set('cursor', alertsCursor);
    const page = await api('/api/v1/incidents/' + encodeURIComponent(id) + '/alerts?' + query);
    if (stopped) return;
    if (first) replace(alertList);
    alertList.append(...page.alerts.map(alertItem));
    alertsCursor = page.nextCursor;
    moreAlerts.hidden = !alertsCursor;
  }

  olderEvents.addEventListener('click', () => loadEvents().catch(e => notify(e.message)));
  moreAlerts.addEventListener('click', () => loadAlerts(false).catch(e => notify(e.message)));

  replace(main, header, actions,
    h('div', {class: 'columns'},
      h('section', {'aria-labelledby': 'timeline-title'}, h('h2', {id: 'timeline-title'}, 'Timeline'), timeline, olderEvents),
      h('div', {},
        runbooks.section,
        publication.section,
        h('section', {'aria-labelledby': 'alerts-title'}, h('h2', {id: 'alerts-title'}, 'Alerts'), alertList, moreAlerts),
        review)));

  let reloadTimer = null;
  let retryTimer = null;
  const stopFeed = follow(new URLSearchParams({incident: id}), change => {
    addEvents([change.event], {live: true});
    // Several events of one change (or a burst of alerts) read the incident once.
    if (reloadTimer === null) {
      reloadTimer = setTimeout(() => {
        reloadTimer = null;
        load();
        if (change.type === 'AlertAttached' || change.type === 'AlertResolved') loadAlerts(true).catch(() => {});
      }, 250);
    }
  }, load);
  load().then(() => incident && Promise.all([loadEvents(), loadAlerts(true)])).catch(e => notify(e.message));
  const ticker = setInterval(() => {
    if (!incident) return;
    drawHeader();
    publication.draw(incident).catch(() => {});
  }, 30000);

  return () => {
    stopped = true;
    stopFeed();
    clearInterval(ticker);
    clearTimeout(reloadTimer);
    clearTimeout(retryTimer);
  };
}
