// Who is on call now and next for each schedule and escalation policy, the overrides people made (responders make and
// remove them here), and the shifts of the coming weeks as an agenda, in the viewer's time zone beside each schedule's own.
import {api, randomId} from '../lib/api.js';
import {h, replace} from '../lib/dom.js';
import {canAct, currentSession, notify} from '../app.js';

const DAYS = 14;
const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

function format(iso, timeZone) {
  return new Intl.DateTimeFormat(undefined, {timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23'}).format(new Date(iso));
}

function dayOf(iso) {
  return new Intl.DateTimeFormat(undefined, {timeZone: viewerZone, weekday: 'long', day: 'numeric', month: 'long'}).format(new Date(iso));
}

/** "Mon 29 Mar, 09:00 – Mon 5 Apr, 09:00", in a zone. */
function span(shift, timeZone) {
  return format(shift.start, timeZone) + ' – ' + format(shift.end, timeZone);
}

/** A date as a datetime-local input's value, in the viewer's zone: "2027-03-20T09:30". */
function localInput(date) {
  const pad = n => String(n).padStart(2, '0');
  return date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate()) + 'T' + pad(date.getHours()) + ':'
    + pad(date.getMinutes());
}

/** "level 1: Payments primary (schedule): alice; payments (team): alice, bob", with schedules by name, or nobody. */
function pageText(page, schedulesById) {
  if (page.level === null) return 'nobody: every level resolves to nobody';
  return 'level ' + (page.level + 1) + ': ' + page.targets.map(target => (schedulesById.has(target.id) ? schedulesById.get(target.id).name : target.id) + ' ('
    + target.type.toLowerCase() + '): ' + (target.userIds.length ? target.userIds.join(', ') : 'nobody')).join('; ')
    + (page.roundRobin ? ' (one of them, in turn)' : '');
}

function pageUsers(page) {
  return page.targets.flatMap(target => target.userIds).join(' ');
}

export function render(main, params, query) {
  document.title = 'On call';
  const at = query.get('at') && !Number.isNaN(Date.parse(query.get('at'))) ? new Date(query.get('at')).toISOString() : null;
  const now = h('tbody');
  const policies = h('tbody');
  const overrides = h('tbody');
  const agenda = h('div', {class: 'agenda'});
  const who = h('select', {id: 'oncall-user'});
  const status = h('p', {class: 'muted', role: 'status', 'aria-live': 'polite'});
  let stopped = false;
  let shifts = [];
  let schedules = [];
  let users = [];

  async function load() {
    try {
      const current = await api('/api/v1/oncall' + (at ? '?at=' + encodeURIComponent(at) : ''));
      if (stopped) return;
      const from = current.at;
      const to = new Date(Date.parse(from) + DAYS * 86400000).toISOString();
      const path = entry => '/api/v1/schedules/' + encodeURIComponent(entry.schedule);
      const [ranges, made, known] = await Promise.all([
        Promise.all(current.oncall.map(entry => api(path(entry) + '/shifts?from=' + encodeURIComponent(from) + '&to=' + encodeURIComponent(to)))),
        Promise.all(current.oncall.map(entry => api(path(entry) + '/overrides'))),
        canAct() ? api('/api/v1/users') : {users: []}]);
      if (stopped) return;
      schedules = current.oncall;
      users = known.users;
      replace(now, current.oncall.map(entry => h('tr', {dataset: {schedule: entry.schedule, user: entry.userId}},
        h('th', {scope: 'row', 'data-label': 'Schedule'}, entry.name, h('div', {class: 'muted small'}, entry.timeZone)),
        h('td', {'data-label': 'On call'}, h('strong', {class: 'oncall-user'}, entry.userId || 'nobody (a gap)'), h('div', {class: 'muted small'}, entry.shift.layer)),
        h('td', {'data-label': 'Until (your time)'}, format(entry.shift.end, viewerZone)),
        h('td', {'data-label': 'Until (schedule time)'}, format(entry.shift.end, entry.timeZone)),
        h('td', {'data-label': 'Next'}, entry.next ? entry.next.userId || 'nobody (a gap)' : '—'))));
      const byId = new Map(current.oncall.map(entry => [entry.schedule, entry]));
      replace(policies, current.policies.map(policy => h('tr', {dataset: {policy: policy.policy, users: pageUsers(policy)}},
        h('th', {scope: 'row', 'data-label': 'Policy'}, policy.name),
        h('td', {'data-label': 'Pages first now'}, pageText(policy, byId)),
        h('td', {'data-label': 'Until (your time)'}, policy.next ? format(policy.next.at, viewerZone) : '—'),
        h('td', {'data-label': 'Then'}, policy.next ? pageText(policy.next, byId) : 'no change within 31 days'))));
      const list = made.flatMap(answer => answer.overrides);
      replace(overrides, list.length === 0 ? h('tr', {}, h('td', {colspan: 7, class: 'muted'}, 'No current or upcoming overrides.'))
        : list.map(override => overrideRow(override, byId.get(override.scheduleId))));
      shifts = ranges.flatMap(range => range.shifts.map(shift => ({...shift, schedule: range.schedule, name: range.name,
        timeZone: range.timeZone}))).filter(shift => shift.userId).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
      const onShift = [...new Set(shifts.map(shift => shift.userId))].sort();
      const me = currentSession().user;
      const chosen = who.value || (onShift.includes(me) ? me : '');
      replace(who, h('option', {value: ''}, 'everyone'), onShift.map(user => h('option', {value: user, selected: user === chosen},
        user === me ? user + ' (me)' : user)));
      drawAgenda();
      if (form) fillForm();
      replace(status, 'Times in your zone (' + viewerZone + ') and in each schedule\'s own.');
    } catch (e) {
      if (!stopped) replace(status, 'Who is on call could not be read: ' + e.message);
    }
  }

  function overrideRow(override, schedule) {
    const zone = schedule ? schedule.timeZone : 'UTC';
    return h('tr', {dataset: {id: override.id, schedule: override.scheduleId, user: override.userId}},
      h('td', {'data-label': 'Schedule'}, schedule ? schedule.name : override.scheduleId),
      h('td', {'data-label': 'On call'}, h('strong', {}, override.userId), ' ', h('span', {class: 'status status-' + override.state}, override.state)),
      h('td', {'data-label': 'When (your time)'}, span(override, viewerZone)),
      h('td', {'data-label': 'When (schedule time)'}, span(override, zone), h('div', {class: 'muted small'}, zone)),
      h('td', {'data-label': 'Reason'}, override.reason),
      h('td', {'data-label': 'By'}, override.createdBy),
      h('td', {class: 'actions'}, canAct() ? h('button', {type: 'button', 'aria-label': 'Remove the override of ' + override.userId + ', '
        + span(override, viewerZone), onclick: () => remove(override)}, 'Remove') : null));
  }

  async function remove(override) {
    try {
      await api('/api/v1/schedules/' + encodeURIComponent(override.scheduleId) + '/overrides/' + encodeURIComponent(override.id) + '?wait=true',
        {method: 'DELETE'});
      await load();
    } catch (e) {
      notify('Could not remove the override of ' + override.userId + ': ' + e.message);
    }
  }

  function drawAgenda() {
    const user = who.value;
    const shown = shifts.filter(shift => !user || shift.userId === user);
    const days = new Map();
    shown.forEach(shift => {
      const day = dayOf(shift.start);
      if (!days.has(day)) days.set(day, []);
      days.get(day).push(shift);
    });
    replace(agenda, shown.length === 0 ? h('p', {class: 'muted'}, 'No shifts in the next ' + DAYS + ' days.')
      : [...days.entries()].map(([day, list]) => h('section', {class: 'day', 'aria-label': day},
        h('h3', {}, day),
        h('ul', {class: 'shifts'}, list.map(shift => h('li', {class: 'shift', dataset: {schedule: shift.schedule, user: shift.userId,
          start: shift.start, end: shift.end}},
        h('strong', {}, shift.userId), ' · ', shift.name, ' (', shift.layer, ')',
        h('div', {}, span(shift, viewerZone), ' your time'),
        shift.timeZone !== viewerZone ? h('div', {class: 'muted small schedule-time'}, span(shift, shift.timeZone), ' ', shift.timeZone)
          : null))))));
  }

  // The override form, for those who may act: times are typed in the viewer's zone and shown in the schedule's too.
  let fillForm = null;
  const form = canAct() ? overrideForm() : null;

  function overrideForm() {
    const error = h('p', {class: 'error', role: 'alert', id: 'override-error'});
    const schedule = h('select', {id: 'override-schedule', name: 'schedule', required: true});
    const user = h('select', {id: 'override-user', name: 'user', required: true});
    const start = h('input', {id: 'override-start', name: 'start', type: 'datetime-local', required: true, 'aria-describedby': 'override-zone'});
    const end = h('input', {id: 'override-end', name: 'end', type: 'datetime-local', required: true, 'aria-describedby': 'override-zone'});
    const reason = h('input', {id: 'override-reason', name: 'reason', required: true, maxlength: 500, size: 40});
    const zoneHint = h('p', {class: 'muted small', id: 'override-zone', 'aria-live': 'polite'});
    const submit = h('button', {type: 'submit', class: 'primary'}, 'Override');

    function chosen() {
      return schedules.find(entry => entry.schedule === schedule.value);
    }

    function hint() {
      const entry = chosen();
      const from = new Date(start.value);
      const until = new Date(end.value);
      replace(zoneHint, 'Times are in your zone, ' + viewerZone + '.', entry && !Number.isNaN(from.getTime()) && !Number.isNaN(until.getTime())
        ? ' In ' + entry.name + '\'s zone (' + entry.timeZone + '): ' + span({start: from.toISOString(), end: until.toISOString()}, entry.timeZone) + '.'
        : '');
    }

    function fillUsers() {
      const entry = chosen();
      const participants = entry ? entry.participants : [];
      const previous = user.value;
      const others = users.map(each => each.id).filter(id => !participants.includes(id));
      const option = id => h('option', {value: id, selected: id === previous}, id);
      replace(user, h('optgroup', {label: 'On this schedule'}, participants.map(option)),
        others.length ? h('optgroup', {label: 'Everyone else'}, others.map(option)) : null);
    }

    fillForm = () => {
      const previous = schedule.value;
      replace(schedule, schedules.map(entry => h('option', {value: entry.schedule, selected: entry.schedule === previous}, entry.name)));
      if (!start.value) {
        const from = new Date();
        start.value = localInput(from);
        end.value = localInput(new Date(from.getTime() + 8 * 3600000));
      }
      fillUsers();
      hint();
    };
    schedule.addEventListener('change', () => {
      fillUsers();
      hint();
    });
    start.addEventListener('input', hint);
    end.addEventListener('input', hint);

    const element = h('form', {class: 'override-form', onsubmit: async event => {
      event.preventDefault();
      replace(error);
      const from = new Date(start.value);
      const until = new Date(end.value);
      if (Number.isNaN(from.getTime()) || Number.isNaN(until.getTime())) {
        replace(error, 'Give a start and an end.');
        return;
      }
      submit.disabled = true;
      try {
        await api('/api/v1/schedules/' + encodeURIComponent(schedule.value) + '/overrides?wait=true', {method: 'POST', idempotencyKey: randomId(),
          body: {user: user.value, start: from.toISOString(), end: until.toISOString(), reason: reason.value.trim()}});
        reason.value = '';
        await load();
      } catch (e) {
        replace(error, (e.field ? e.field + ': ' : '') + e.message);
      } finally {
        submit.disabled = false;
      }
    }},
    h('h3', {}, 'New override'),
    h('div', {class: 'field'}, h('label', {for: 'override-schedule'}, 'Schedule'), schedule),
    h('div', {class: 'field'}, h('label', {for: 'override-user'}, 'Who is on call instead'), user),
    h('div', {class: 'field'}, h('label', {for: 'override-start'}, 'From (your time, ' + viewerZone + ')'), start),
    h('div', {class: 'field'}, h('label', {for: 'override-end'}, 'Until (your time, ' + viewerZone + ')'), end),
    zoneHint,
    h('div', {class: 'field'}, h('label', {for: 'override-reason'}, 'Reason'), reason),
    submit,
    error);
    return element;
  }

  who.addEventListener('change', drawAgenda);
  replace(main,
    h('h1', {}, 'On call'),
    at ? h('p', {}, 'As of ', format(at, viewerZone), ' · ', h('a', {href: '/oncall'}, 'now')) : null,
    status,
    h('table', {class: 'incidents oncall'},
      h('caption', {class: 'visually-hidden'}, 'Who is on call now, per schedule'),
      h('thead', {}, h('tr', {}, ['Schedule', 'On call', 'Until (your time)', 'Until (schedule time)', 'Next']
        .map(name => h('th', {scope: 'col'}, name)))),
      now),
    h('h2', {}, 'Escalation policies'),
    h('table', {class: 'incidents policies'},
      h('caption', {class: 'visually-hidden'}, 'Whom each escalation policy pages first, now and next'),
      h('thead', {}, h('tr', {}, ['Policy', 'Pages first now', 'Until (your time)', 'Then'].map(name => h('th', {scope: 'col'}, name)))),
      policies),
    h('h2', {}, 'Overrides'),
    h('table', {class: 'incidents overrides'},
      h('caption', {class: 'visually-hidden'}, 'Current and upcoming overrides'),
      h('thead', {}, h('tr', {}, ['Schedule', 'On call', 'When (your time)', 'When (schedule time)', 'Reason', 'By']
        .map(name => h('th', {scope: 'col'}, name)), h('th', {scope: 'col'}, h('span', {class: 'visually-hidden'}, 'Actions')))),
      overrides),
    form,
    h('h2', {}, 'Shifts, the next ' + DAYS + ' days'),
    h('p', {}, h('label', {for: 'oncall-user'}, 'Shifts of '), who),
    agenda);
  load();
  return () => {
    stopped = true;
  };
}
