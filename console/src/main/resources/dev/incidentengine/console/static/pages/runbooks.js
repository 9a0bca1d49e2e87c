// The runbooks an incident follows: each step's Markdown with its outcome, and for responders, done/skip buttons
// (PUT .../runbooks/{runbookId}/steps/{n}) and a form to attach another configured runbook.
import {api, command, randomId} from '../lib/api.js';
import {h, replace, safeLink} from '../lib/dom.js';
import {markdown} from '../lib/markdown.js';

export function runbooksPanel(id, {canAct, notify, reload}) {
  const section = h('section', {class: 'runbooks', 'aria-labelledby': 'runbooks-title'});
  let configured = null;

  async function mark(runbookId, step, outcome, note) {
    try {
      await api('/api/v1/incidents/' + encodeURIComponent(id) + '/runbooks/' + encodeURIComponent(runbookId) + '/steps/' + step
        + '?wait=true', {method: 'PUT', body: note ? {outcome, note} : {outcome}, idempotencyKey: randomId()});
      await reload();
    } catch (e) {
      notify('Could not mark step ' + step + ': ' + e.message);
    }
  }

  function stepItem(runbook, step, act) {
    const marked = step.outcome
      ? h('p', {class: 'step-mark muted'}, step.outcome === 'DONE' ? '✓ done' : '↷ skipped', ' by ', step.markedBy || '?', ', ',
        new Date(step.markedAt).toLocaleString(), step.note ? ': ' + step.note : '')
      : h('p', {class: 'step-mark muted'}, 'not done');
    const note = h('input', {type: 'text', maxlength: '2000', placeholder: 'Note (optional)', 'aria-label': 'Note for step ' + step.number});
    const buttons = act ? h('div', {class: 'buttons'}, note,
      h('button', {type: 'button', onclick: () => mark(runbook.runbookId, step.number, 'done', note.value.trim())}, 'Done'),
      h('button', {type: 'button', onclick: () => mark(runbook.runbookId, step.number, 'skipped', note.value.trim())}, 'Skip')) : null;
    return h('li', {class: 'runbook-step' + (step.outcome ? ' marked' : '')}, h('div', {}, markdown(step.text, {headingOffset: 3})),
      marked, buttons);
  }

  async function attachForm(attached) {
    if (configured === null) {
      configured = (await api('/api/v1/runbooks')).runbooks.filter(r => !r.problem);
    }
    const choices = configured.filter(r => !attached.includes(r.id));
    if (!choices.length) return null;
    const select = h('select', {'aria-label': 'Runbook'}, choices.map(r => h('option', {value: r.id}, r.title + ' (' + r.id + ')')));
    return h('form', {class: 'attach-runbook', onsubmit: async event => {
      event.preventDefault();
      try {
        await command(id, 'runbooks', {runbookId: select.value});
        await reload();
      } catch (e) {
        notify('Could not attach the runbook: ' + e.message);
      }
    }}, select, h('button', {type: 'submit'}, 'Attach runbook'));
  }

  async function draw(incident) {
    const runbooks = incident.runbooks || [];
    const act = canAct() && !incident.mergedInto;
    const lists = runbooks.map(runbook => {
      const done = runbook.steps.filter(s => s.outcome).length;
      return h('div', {class: 'runbook', id: 'runbook-' + runbook.runbookId},
        h('h3', {}, runbook.url ? safeLink(runbook.url, runbook.title) : runbook.title, ' ',
          h('span', {class: 'muted'}, done + ' of ' + runbook.steps.length + ' steps marked')),
        h('ol', {class: 'runbook-steps'}, runbook.steps.map(step => stepItem(runbook, step, act))));
    });
    const attach = act && incident.status !== 'CLOSED' ? await attachForm(runbooks.map(r => r.runbookId)) : null;
    replace(section, h('h2', {id: 'runbooks-title'}, 'Runbooks'),
      runbooks.length ? lists : h('p', {class: 'muted'}, 'No runbook attached.'), attach);
    if (location.hash.startsWith('#runbook-')) {
      const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target && !section.dataset.scrolled) {
        section.dataset.scrolled = 'yes';
        target.scrollIntoView();
      }
    }
  }

  return {section, draw};
}
