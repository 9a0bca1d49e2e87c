// Who is on call now and next for each schedule, and the shifts of the coming weeks as an agenda,
// in the viewer's time zone beside each schedule's own.
import {api} from '../lib/api.js';
import {h, replace} from '../lib/dom.js';
import {currentSession} from '../app.js';

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

export function render(main, params, query) {
  document.title = 'On call';
  const at = query.get('at') && !Number.isNaN(Date.parse(query.get('at'))) ? new Date(query.get('at')).toISOString() : null;
  const now = h('tbody');
  const agenda = h('div', {class: 'agenda'});
  const who = h('select', {id: 'oncall-user'});
  const status = h('p', {class: 'muted', role: 'status', 'aria-live': 'polite'});
  let stopped = false;
  let shifts = [];

  async function load() {
    try {
      const current = await api('/api/v1/oncall' + (at ? '?at=' + encodeURIComponent(at) : ''));
      if (stopped) return;
      const rows = await Promise.all(current.oncall.map(async entry => {
        const next = await api('/api/v1/oncall?schedule=' + encodeURIComponent(entry.schedule) + '&at=' + encodeURIComponent(entry.shift.end));
        return {entry, next};
      }));
      const from = current.at;
      const to = new Date(Date.parse(from) + DAYS * 86400000).toISOString();
      const ranges = await Promise.all(current.oncall.map(entry => api('/api/v1/schedules/' + encodeURIComponent(entry.schedule)
        + '/shifts?from=' + encodeURIComponent(from) + '&to=' + encodeURIComponent(to))));
      if (stopped) return;
      replace(now, rows.map(({entry, next}) => h('tr', {dataset: {schedule: entry.schedule, user: entry.userId}},
        h('th', {scope: 'row', 'data-label': 'Schedule'}, entry.name, h('div', {class: 'muted small'}, entry.timeZone)),
        h('td', {'data-label': 'On call'}, h('strong', {class: 'oncall-user'}, entry.userId || 'nobody (a gap)'), h('div', {class: 'muted small'}, entry.shift.layer)),
        h('td', {'data-label': 'Until (your time)'}, format(entry.shift.end, viewerZone)),
        h('td', {'data-label': 'Until (schedule time)'}, format(entry.shift.end, entry.timeZone)),
        h('td', {'data-label': 'Next'}, next.userId || 'nobody (a gap)'))));
      shifts = ranges.flatMap(range => range.shifts.map(shift => ({...shift, schedule: range.schedule, name: range.name,
        timeZone: range.timeZone}))).filter(shift => shift.userId).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
      const users = [...new Set(shifts.map(shift => shift.userId))].sort();
      const me = currentSession().user;
      const chosen = who.value || (users.includes(me) ? me : '');
      replace(who, h('option', {value: ''}, 'everyone'), users.map(user => h('option', {value: user, selected: user === chosen},
        user === me ? user + ' (me)' : user)));
      drawAgenda();
      replace(status, 'Times in your zone (' + viewerZone + ') and in each schedule\'s own.');
    } catch (e) {
      if (!stopped) replace(status, 'Who is on call could not be read: ' + e.message);
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
    h('h2', {}, 'Shifts, the next ' + DAYS + ' days'),
    h('p', {}, h('label', {for: 'oncall-user'}, 'Shifts of '), who),
    agenda);
  load();
  return () => {
    stopped = true;
  };
}
