// Response over a period: time to acknowledge and resolve over time per severity, per service, targets met,
// the noisiest alerts and the pages per responder; from the read side's daily rollups (GET /api/v1/reports).
import {api} from '../lib/api.js';
import {h, replace, duration} from '../lib/dom.js';
import {lineChart, barChart} from '../lib/chart.js';
import {navigate} from '../app.js';

const PERIODS = [7, 30, 90, 365];
const SEVERITIES = ['SEV0', 'SEV1', 'SEV2', 'SEV3', 'SEV4'];

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

/** Every period start from `from` to `to`: days, or weeks from Monday as the API buckets them. */
function periodStarts(from, to, bucket) {
  const starts = [];
  const day = new Date(from + 'T00:00:00Z');
  if (bucket === 'week') day.setUTCDate(day.getUTCDate() - (day.getUTCDay() + 6) % 7);
  for (; isoDay(day) <= to; day.setUTCDate(day.getUTCDate() + (bucket === 'week' ? 7 : 1))) starts.push(isoDay(day));
  return starts;
}

// Under a minute with a fraction (a chart's half-second ticks, say) to a tenth: duration() would round 0.5 and 1.5 down to 0s and 1s.
const seconds = value => value < 60 && !Number.isInteger(value) ? value.toFixed(1) + 's' : duration(value * 1000);
/** "11-29" for 2026-11-29 on an axis; the data table has the whole day. */
const shortDay = day => day.slice(5);

function percent(part, whole) {
  return whole === 0 ? '–' : Math.round(part / whole * 100) + ' %';
}

/** A group's row: incidents, means, and targets met as percentages of its incidents. */
function figures(row) {
  return [
    h('td', {class: 'number', 'data-label': 'Incidents'}, row.incidents),
    h('td', {class: 'number', 'data-label': 'MTTA'},
      row.acknowledgeMeanSeconds === null ? '–' : seconds(row.acknowledgeMeanSeconds)),
    h('td', {class: 'number', 'data-label': 'MTTR'},
      row.resolveMeanSeconds === null ? '–' : seconds(row.resolveMeanSeconds)),
    h('td', {class: 'number', 'data-label': 'Acknowledged in time'}, percent(row.acknowledgedInTime, row.incidents)),
    h('td', {class: 'number', 'data-label': 'Resolved in time'}, percent(row.resolvedInTime, row.incidents)),
    h('td', {class: 'number', 'data-label': 'Both targets met'}, percent(row.targetMet, row.incidents)),
  ];
}

function groupTable(caption, heading, rows, cell) {
  return h('table', {class: 'incidents report-table'},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, [heading, 'Incidents', 'MTTA', 'MTTR', 'Acknowledged in time', 'Resolved in time', 'Both targets met']
      .map(name => h('th', {scope: 'col'}, name)))),
    h('tbody', {}, rows.length === 0 ? h('tr', {}, h('td', {colspan: 7, class: 'muted'}, 'No incidents.'))
      : rows.map(row => h('tr', {dataset: {group: row.group}}, h('th', {scope: 'row', 'data-label': heading}, cell(row)), figures(row)))));
}

export function render(main, params, query) {
  document.title = 'Reports';
  const days = PERIODS.includes(Number(query.get('days'))) ? Number(query.get('days')) : 30;
  const service = query.get('service') || '';
  const severity = SEVERITIES.includes(query.get('severity')) ? query.get('severity') : '';
  const type = query.get('type') || '';
  const tier = query.get('tier') || '';
  const bucket = days > 30 ? 'week' : 'day';
  const status = h('p', {class: 'muted', role: 'status', 'aria-live': 'polite'}, 'Loading…');
  const body = h('div', {class: 'report'});
  let stopped = false;

  const periodSelect = h('select', {id: 'report-days', name: 'days'},
    PERIODS.map(n => h('option', {value: n, selected: n === days}, 'last ' + n + ' days')));
  const serviceInput = h('input', {id: 'report-service', name: 'service', value: service, list: 'report-services', autocomplete: 'off',
    placeholder: 'all'});
  const services = h('datalist', {id: 'report-services'});
  const severitySelect = h('select', {id: 'report-severity', name: 'severity'},
    h('option', {value: ''}, 'all'), SEVERITIES.map(sev => h('option', {value: sev, selected: sev === severity}, sev)));
  const form = h('form', {class: 'filters', onsubmit: event => {
    event.preventDefault();
    const next = new URLSearchParams({days: periodSelect.value});
    if (serviceInput.value.trim()) next.set('service', serviceInput.value.trim());
    if (severitySelect.value) next.set('severity', severitySelect.value);
    if (type) next.set('type', type);
    if (tier) next.set('tier', tier);
    navigate('/reports?' + next);
  }},
  h('label', {for: 'report-days'}, 'Period'), periodSelect,
  h('label', {for: 'report-service'}, 'Service'), serviceInput, services,
  h('label', {for: 'report-severity'}, 'Severity'), severitySelect,
  h('button', {type: 'submit'}, 'Show'));
  periodSelect.addEventListener('change', () => form.requestSubmit());
  severitySelect.addEventListener('change', () => form.requestSubmit());

  async function load() {
    const to = isoDay(new Date());
    const from = isoDay(new Date(Date.now() - (days - 1) * 86400000));
    const request = new URLSearchParams({from, to, bucket});
    if (service) request.set('service', service);
    if (severity) request.set('severity', severity);
    if (type) request.set('type', type);
    if (tier) request.set('tier', tier);
    try {
      const report = await api('/api/v1/reports?' + request);
      if (stopped) return;
      draw(report);
      replace(status, 'Incidents opened from ' + report.from + ' to ' + report.to + ' (UTC days)'
        + (report.service ? ', service ' + report.service : '') + (report.severity ? ', ' + report.severity : '')
        + (report.type ? ', type ' + report.type : '') + (report.tier ? ', tier ' + report.tier : '') + '.');
    } catch (e) {
      if (!stopped) replace(status, 'The report could not be read: ' + e.message);
    }
  }

  function draw(report) {
    const starts = periodStarts(report.from, report.to, report.bucket);
    const shown = SEVERITIES.filter(sev => report.series.some(point => point.severity === sev));
    const over = field => shown.map(sev => ({name: sev, className: 'series-' + sev.toLowerCase(), values: starts.map(start => {
      const point = report.series.find(p => p.start === start && p.severity === sev);
      return point ? point[field] : null;
    })}));
    const per = report.bucket === 'week' ? 'per week (from Monday)' : 'per day';
    const totals = report.totals;
    replace(services, report.byService.map(row => h('option', {value: row.group})));
    Object.assign(body.dataset, {from: report.from, to: report.to, bucket: report.bucket});
    replace(body,
      h('dl', {class: 'facts report-totals'},
        h('dt', {}, 'Incidents'), h('dd', {id: 'report-incidents'}, totals.incidents),
        h('dt', {}, 'MTTA'), h('dd', {}, totals.acknowledgeMeanSeconds === null ? '–' : seconds(totals.acknowledgeMeanSeconds)),
        h('dt', {}, 'MTTR'), h('dd', {}, totals.resolveMeanSeconds === null ? '–' : seconds(totals.resolveMeanSeconds)),
        h('dt', {}, 'Response targets met'), h('dd', {}, percent(totals.targetMet, totals.incidents),
          ' (acknowledged in time ', percent(totals.acknowledgedInTime, totals.incidents), ', resolved in time ',
          percent(totals.resolvedInTime, totals.incidents), ')')),
      h('h2', {}, 'Time to acknowledge and resolve'),
      shown.length === 0 ? h('p', {class: 'muted'}, 'No incidents in this period.') : h('div', {class: 'charts'},
        lineChart({title: 'Mean time to acknowledge ' + per, description: 'Mean time from opened to first acknowledged, per severity, '
          + 'of the incidents opened in each period, ' + report.from + ' to ' + report.to + '.', categories: starts,
        series: over('acknowledgeMeanSeconds'), format: seconds, label: shortDay}),
        lineChart({title: 'Mean time to resolve ' + per, description: 'Mean time from opened to last resolved, per severity, '
          + 'of the incidents opened in each period, ' + report.from + ' to ' + report.to + '.', categories: starts,
        series: over('resolveMeanSeconds'), format: seconds, label: shortDay})),
      h('h2', {}, 'Per severity'),
      groupTable('Response per severity, against its targets', 'Severity', report.bySeverity, row => row.group),
      h('h2', {}, 'Per service'),
      groupTable('Response per service', 'Service', report.byService, row => h('a', {href: '/reports?' + new URLSearchParams({days,
        service: row.group})}, row.group)),
      // Each incident is judged by its tier's targets as it opened with them; "-" is the incidents without a type or tier.
      h('h2', {}, 'Per tier'),
      groupTable('Response per service tier, against each tier\'s targets', 'Tier', report.byTier || [], row => row.group !== '-'
        ? h('a', {href: '/reports?' + new URLSearchParams({days, tier: row.group})}, row.group) : 'none (engine defaults)'),
      h('h2', {}, 'Per type'),
      groupTable('Response per incident type', 'Type', report.byType || [], row => row.group !== '-'
        ? h('a', {href: '/reports?' + new URLSearchParams({days, type: row.group})}, row.group) : 'none'),
      (type || tier) ? h('p', {class: 'muted'}, 'Noisiest alerts and pages are counted per service, not narrowed by type or tier.') : null,
      h('h2', {}, 'Noisiest alerts'),
      h('table', {class: 'incidents report-alerts'},
        h('caption', {class: 'visually-hidden'}, 'The 10 alerts attached most often'),
        h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Alert (service / name)'), h('th', {scope: 'col'}, 'Attached'))),
        h('tbody', {}, report.noisiestAlerts.length === 0 ? h('tr', {}, h('td', {colspan: 2, class: 'muted'}, 'No alerts.'))
          : report.noisiestAlerts.map(alert => h('tr', {},
            h('td', {'data-label': 'Alert'}, alert.alert), h('td', {class: 'number', 'data-label': 'Attached'}, alert.attached))))),
      report.alertsCapped ? h('p', {class: 'muted small'}, 'Counted by name up to 200 names a day: ' + report.unnamedAlerts
        + ' alerts beyond were counted without a name, so this ranking may miss some.') : null,
      h('h2', {}, 'Pages per responder'),
      report.pagesPerResponder.length === 0 ? h('p', {class: 'muted'}, 'Nobody was paged.')
        : barChart({title: 'Pages per responder', description: 'How many times each person was paged by escalations of the incidents '
          + 'opened ' + report.from + ' to ' + report.to + '.', items: report.pagesPerResponder.map(row => ({label: row.user, value: row.pages})),
        format: n => String(n), labelName: 'Responder', valueName: 'Pages'}),
      report.respondersCapped ? h('p', {class: 'muted small'}, 'The 50 most paged are shown.') : null);
  }

  replace(main, h('h1', {}, 'Reports'), form, status, body);
  load();
  return () => {
    stopped = true;
  };
}
