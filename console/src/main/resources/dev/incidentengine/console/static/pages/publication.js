// The incident page's "Status page" panel: publish the incident (public title, impact, components, first message),
// then how it stands on the page (status, impact, last update, next update due) and a form for public updates.
// Public words are Statuspage's, in lower case, as the API takes and gives them.
import {api} from '../lib/api.js';
import {ago, h, replace} from '../lib/dom.js';

const IMPACTS = ['none', 'minor', 'major', 'critical'];
const OPEN_STATUSES = ['investigating', 'identified', 'monitoring'];
const STATUSES = [...OPEN_STATUSES, 'resolved', 'postmortem'];
const IMPACT_OF_SEVERITY = {SEV0: 'critical', SEV1: 'major', SEV2: 'minor'};

function options(values, selected) {
  return values.map(value => h('option', {value, selected: value === selected}, value));
}

/** The page's components as checkboxes, grouped as the page shows them. */
function componentChoices(prefix, page, checked) {
  const groups = new Map();
  for (const component of page.components) {
    const group = component.group || '';
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(component);
  }
  return h('fieldset', {class: 'choices'}, h('legend', {}, 'Components'),
    [...groups].map(([group, components]) => h('div', {},
      group ? h('p', {class: 'muted small'}, group) : null,
      components.map(component => h('label', {for: prefix + component.id},
        h('input', {type: 'checkbox', id: prefix + component.id, name: 'components', value: component.id,
          checked: checked.includes(component.id)}), ' ', component.name)))));
}

/**
 * A panel kept by the incident page: `draw(incident)` after each read of the incident redraws it only when the
 * publication changed, so a message being typed survives the incident's other news.
 *
 * @param run         runs an incident command and reads the incident again (throws with the refusal)
 * @param commandForm the page's labelled form for a command
 * @param field       the page's labelled field
 */
export function publicationPanel(incidentId, {canAct, run, commandForm, field}) {
  const section = h('section', {class: 'publication', 'aria-labelledby': 'publication-title'});
  let page;
  let pageRead = null;
  let drawn = null;

  /** The page's id, name and components, read once; null when no page is configured. */
  function readPage() {
    pageRead = pageRead || api('/api/v1/status-page/config').then(config => { page = config.configured ? config : null; }, () => {
      page = undefined;
      pageRead = null; // a moment's trouble: read again with the next change
    });
    return pageRead;
  }

  const nameOf = id => (page && page.components.find(c => c.id === id) || {name: id}).name;

  function publishForm(incident) {
    return commandForm('Publish to the status page', [
      field('publication-title-input', 'Public title', h('input', {id: 'publication-title-input', name: 'title', required: true,
        maxlength: 200, value: incident.title})),
      field('publication-impact', 'Impact', h('select', {id: 'publication-impact', name: 'impact'},
        options(IMPACTS, IMPACT_OF_SEVERITY[incident.severity] || 'none'))),
      componentChoices('publication-component-', page, page.components.filter(c => c.id === incident.service).map(c => c.id)),
      field('publication-status', 'Status', h('select', {id: 'publication-status', name: 'status'}, options(OPEN_STATUSES, 'investigating'))),
      field('publication-message', 'First message (empty: the page\'s initial text)',
        h('textarea', {id: 'publication-message', name: 'message', rows: 3, maxlength: 5000}))],
    data => run('publication', {title: data.get('title'), impact: data.get('impact'), components: data.getAll('components'),
      status: data.get('status'), message: data.get('message') || undefined}));
  }

  function updateForm(publication) {
    return commandForm('Post public update', [
      field('public-update-status', 'Status', h('select', {id: 'public-update-status', name: 'status'},
        options(STATUSES, publication.status))),
      field('public-update-message', 'Message (a resolved update may leave it to the page\'s resolution text)',
        h('textarea', {id: 'public-update-message', name: 'message', rows: 3, maxlength: 5000})),
      field('public-update-impact', 'Impact', h('select', {id: 'public-update-impact', name: 'impact'}, options(IMPACTS, publication.impact))),
      componentChoices('public-update-component-', page, publication.components)],
    data => run('public-updates', {status: data.get('status'), message: data.get('message') || undefined, impact: data.get('impact'),
      components: data.getAll('components')}));
  }

  function standing(publication) {
    const due = publication.nextUpdateDueAt;
    const overdue = due && Date.parse(due) <= Date.now();
    return h('dl', {class: 'facts'},
      [h('dt', {}, 'Public status'), h('dd', {}, h('span', {class: 'tag public-status'}, publication.status))],
      [h('dt', {}, 'Public title'), h('dd', {}, publication.title)],
      [h('dt', {}, 'Impact'), h('dd', {}, publication.impact)],
      [h('dt', {}, 'Components'), h('dd', {}, publication.components.map(nameOf).join(', ') || '—')],
      [h('dt', {}, 'Last update'), h('dd', {}, ago(publication.lastUpdateAt), ' (', String(publication.updates), ' in all)')],
      [h('dt', {}, 'Next update due'), h('dd', {}, !due ? '—' : overdue
        ? h('strong', {class: 'late'}, 'overdue since ', new Date(due).toLocaleString())
        : new Date(due).toLocaleString())],
      publication.missedUpdates ? [h('dt', {}, 'Missed updates'), h('dd', {}, String(publication.missedUpdates))] : null);
  }

  async function draw(incident) {
    await readPage();
    const publication = incident.publication;
    const key = JSON.stringify([publication, canAct(), page ? page.components : page, publication && publication.nextUpdateDueAt
      && Date.parse(publication.nextUpdateDueAt) <= Date.now()]);
    if (key === drawn) return;
    drawn = key;
    const title = h('h2', {id: 'publication-title'}, 'Status page');
    if (page === undefined) {
      replace(section, title, h('p', {class: 'muted'}, 'The status page\'s settings could not be read; trying again with the next change.'));
      drawn = null;
    } else if (!publication) {
      replace(section, title, h('p', {class: 'muted'}, page === null ? 'No status page is configured.' : 'Not on ' + page.name + '.'),
        page && canAct() ? h('div', {class: 'forms'}, publishForm(incident)) : null);
    } else {
      replace(section, title, standing(publication), page && canAct() ? h('div', {class: 'forms'}, updateForm(publication)) : null);
    }
  }

  return {section, draw};
}
