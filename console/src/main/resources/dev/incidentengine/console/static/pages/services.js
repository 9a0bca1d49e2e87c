// Services: each one's open incidents (kept live by the change feed), escalation policy, integrations
// with the URL to paste into their sender, and the channels that hear of its incidents.
import {api} from '../lib/api.js';
import {h, replace, severityBadge} from '../lib/dom.js';
import {follow} from '../lib/feed.js';

const SEVERITIES = ['SEV0', 'SEV1', 'SEV2', 'SEV3', 'SEV4'];
const PAGE = 50;
const MAX_PAGE = 200;
/** The counts are read again at most this often while incidents change. */
const COUNTS_MS = 2000;
const RETRY_MS = 2000;
const TARGETS = {USER: 'user', SCHEDULE: 'schedule', TEAM: 'team'};
const CHANNELS = {SLACK: 'Slack', SLACK_WEBHOOK: 'Slack webhook', TEAMS: 'Microsoft Teams', EMAIL: 'e-mail', WEBHOOK: 'webhook',
  SMS: 'SMS', PAGERDUTY: 'PagerDuty'};

function incidentsOf(service, severity) {
  const query = new URLSearchParams({service: service.id});
  if (severity) query.set('severity', severity);
  return '/incidents?' + query;
}

/** "Level 1: schedule payments-primary, team payments; after 10 min unacknowledged: the next level". */
function level(item, index, then) {
  const targets = item.targets.map(target => (TARGETS[target.type] || target.type) + ' ' + target.id).join(', ')
    + (item.targetCount > item.targets.length ? ' and ' + (item.targetCount - item.targets.length) + ' more' : '');
  return h('li', {}, h('strong', {}, 'Level ' + (index + 1) + ': '), targets || 'nobody',
    item.roundRobin ? ' (one at a time, taking turns)' : '',
    h('span', {class: 'muted'}, '; after ' + item.delayMinutes + ' min unacknowledged: ' + then));
}

function policy(service) {
  const p = service.escalationPolicy;
  if (!p) return h('p', {class: 'muted'}, 'No escalation policy: its incidents page nobody unless a route names one.');
  return [
    h('p', {}, p.name || p.id, ' ', h('span', {class: 'muted small'}, '(' + p.id + (p.from === 'team' ? ', the team\'s' : '') + ')'),
      p.name === null ? h('span', {class: 'error'}, ' not in the configuration') : ''),
    p.levels.length ? h('ol', {class: 'levels'}, p.levels.map((item, i) => level(item, i, i < p.levelCount - 1 ? 'the next level'
      : p.repeat > 0 ? 'level 1 again (' + p.repeat + (p.repeat === 1 ? ' more time)' : ' more times)') : 'the policy ends'))) : null,
    p.levelCount > p.levels.length ? h('p', {class: 'muted small'}, (p.levelCount - p.levels.length) + ' more levels.') : null,
  ];
}

let fieldCount = 0;

/** A readonly field with the URL, labelled, and a Copy button; without the clipboard API the text is selected for Ctrl+C. */
function integration(item) {
  const id = 'integration-url-' + (++fieldCount);
  const input = h('input', {id, type: 'text', readonly: true, value: item.url, spellcheck: 'false', class: 'url',
    'aria-describedby': id + '-key', onfocus: event => event.target.select()});
  const said = h('span', {class: 'muted small', role: 'status', 'aria-live': 'polite'});
  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(item.url);
      replace(said, 'Copied.');
    } catch (e) {
      input.focus();
      input.select();
      replace(said, 'Selected: press Ctrl+C (⌘C) to copy.');
    }
  }
  return h('li', {class: 'integration', dataset: {id: item.id, type: item.type}},
    h('p', {}, h('strong', {}, item.name), ' ', h('span', {class: 'tag'}, item.type.toLowerCase())),
    h('label', {for: id}, item.sender),
    h('div', {class: 'copy-field'}, input,
      h('button', {type: 'button', onclick: copy, 'aria-label': 'Copy the URL of ' + item.name}, 'Copy'), said),
    h('p', {class: 'muted small', id: id + '-key'}, 'Integration key: ' + item.credential + '. The key is not shown here: it is stored only as a hash.'));
}

function counts(service) {
  return [
    h('li', {}, h('a', {href: incidentsOf(service)}, h('strong', {class: 'open-count'}, String(service.openIncidents)), ' open')),
    h('li', {}, String(service.openByStatus.TRIGGERED), ' unacknowledged'),
    ...SEVERITIES.map(sev => h('li', {}, h('a', {href: incidentsOf(service, sev), class: service.openBySeverity[sev] ? '' : 'none'},
      severityBadge(sev), ' ', String(service.openBySeverity[sev]), h('span', {class: 'visually-hidden'}, ' open')))),
  ];
}

export function render(main) {
  document.title = 'Services';
  const list = h('div', {class: 'services'});
  const status = h('p', {class: 'muted', role: 'status', 'aria-live': 'polite'});
  const more = h('button', {type: 'button', hidden: true, onclick: () => load(false)}, 'Load more');
  const shown = new Map();
  let nextCursor = null;
  let stopped = false;
  let countsTimer = null;
  let retryTimer = null;

  function section(service) {
    const heading = 'service-' + (++fieldCount);
    const countList = h('ul', {class: 'counts', 'aria-label': 'Open incidents of ' + service.name}, counts(service));
    shown.set(service.id, countList);
    return h('section', {class: 'service', 'aria-labelledby': heading, dataset: {id: service.id}},
      h('h2', {id: heading}, service.name, ' ', h('span', {class: 'muted small'}, service.id)),
      service.description ? h('p', {}, service.description) : null,
      countList,
      h('dl', {class: 'facts'},
        h('dt', {}, 'Team'), h('dd', {}, service.team ? (service.team.name || service.team.id) : '—')),
      h('h3', {}, 'Escalation policy'), policy(service),
      h('h3', {}, 'Integrations'),
      service.integrations.length ? h('ul', {class: 'integrations'}, service.integrations.map(integration))
        : h('p', {class: 'muted'}, 'None: no sender has a key for this service.'),
      service.integrationCount > service.integrations.length
        ? h('p', {class: 'muted small'}, (service.integrationCount - service.integrations.length) + ' more integrations.') : null,
      h('h3', {}, 'Channels'),
      service.channels.length ? h('ul', {class: 'channels'}, service.channels.map(channel => h('li', {dataset: {id: channel.id}},
        channel.name, ' ', h('span', {class: 'muted small'}, '(' + (CHANNELS[channel.type] || channel.type)
          + (channel.everyService ? ', every service' : '') + ')'))))
        : h('p', {class: 'muted'}, 'None: no channel hears of this service\'s incidents.'),
      service.channelCount > service.channels.length
        ? h('p', {class: 'muted small'}, (service.channelCount - service.channels.length) + ' more channels.') : null);
  }

  async function load(first) {
    try {
      const page = await api('/api/v1/services?limit=' + PAGE + (!first && nextCursor ? '&cursor=' + encodeURIComponent(nextCursor) : ''));
      if (stopped) return;
      if (first) {
        shown.clear();
        replace(list);
      }
      list.append(...page.services.map(section));
      nextCursor = page.nextCursor;
      more.hidden = !nextCursor;
      status.className = 'muted';
      replace(status, page.total === 0 ? 'No services are configured.'
        : shown.size + ' of ' + page.total + (page.total === 1 ? ' service' : ' services') + '. Senders post to '
          + page.receiverBaseUrl + (page.receiverBaseUrlFrom === 'request' ? ' (the address this browser uses)' : '') + '.');
    } catch (e) {
      if (stopped) return;
      // An instance that is starting answers 503 for a moment: say so and try again.
      status.className = 'error';
      replace(status, 'The services could not be listed (' + e.message + '); trying again…');
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => load(first), RETRY_MS);
    }
  }

  /** Only the counts are drawn again, in place: a URL being selected or copied stays as it is. */
  async function loadCounts() {
    countsTimer = null;
    try {
      let cursor = null;
      let read = 0;
      do {
        const page = await api('/api/v1/services?limit=' + MAX_PAGE + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
        if (stopped) return;
        page.services.filter(service => shown.has(service.id)).forEach(service => replace(shown.get(service.id), counts(service)));
        read += page.services.length;
        cursor = page.nextCursor;
      } while (cursor && read < shown.size);
    } catch (e) {
      // A summary: try again shortly (a service removed meanwhile stays until the page is read again).
      if (!stopped && countsTimer === null) countsTimer = setTimeout(loadCounts, RETRY_MS);
    }
  }

  function schedule() {
    if (countsTimer === null) countsTimer = setTimeout(loadCounts, COUNTS_MS);
  }

  replace(main,
    h('h1', {}, 'Services'),
    status,
    list,
    more);

  // Followed before the list is read, so no change falls between the two; a change taking an incident out of the open ones comes too.
  const stopFeed = follow(new URLSearchParams([['status', 'TRIGGERED'], ['status', 'ACKNOWLEDGED']]), schedule, schedule);
  load(true);
  return () => {
    stopped = true;
    stopFeed();
    clearTimeout(countsTimer);
    clearTimeout(retryTimer);
  };
}
