// The console's shell: who is signed in, the navigation, and a router over the History API.
import {api, setCsrf} from './lib/api.js';
import {h, replace} from './lib/dom.js';
import {onFeedStatus} from './lib/feed.js';
import * as signin from './pages/signin.js';
import * as signinLink from './pages/signin-link.js';
import * as incidents from './pages/incidents.js';
import * as incident from './pages/incident.js';
import * as silences from './pages/silences.js';
import * as oncall from './pages/oncall.js';
import * as services from './pages/services.js';
import * as reports from './pages/reports.js';

const routes = [
  [/^\/signin$/, signin, () => ({})],
  [/^\/signin\/link$/, signinLink, () => ({})],
  [/^\/incidents$/, incidents, () => ({})],
  [/^\/incidents\/([^/]+)$/, incident, match => ({id: decodeURIComponent(match[1])})],
  [/^\/silences$/, silences, () => ({})],
  [/^\/oncall$/, oncall, () => ({})],
  [/^\/services$/, services, () => ({})],
  [/^\/reports$/, reports, () => ({})],
];

const main = document.getElementById('main');
let session = null;
let leave = null;

/** The signed-in user ({user, role, csrf}), or null. */
export function currentSession() {
  return session;
}

export function canAct() {
  return session !== null && (session.role === 'responder' || session.role === 'admin');
}

export function navigate(path, {replaceState = false} = {}) {
  if (replaceState) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

/** Shows a message at the top of the page: an error that needs the user's attention, or null to hide it. */
export function notify(message) {
  const notice = document.getElementById('notice');
  notice.hidden = !message;
  replace(notice, message || '');
}

async function loadSession() {
  try {
    const answer = await api('/console/session');
    session = answer.signedIn ? answer : null;
  } catch (e) {
    session = null;
    notify('The engine did not answer: ' + e.message);
  }
  setCsrf(session && session.csrf);
  renderHeader();
}

function renderHeader() {
  document.getElementById('nav').hidden = session === null;
  const who = document.getElementById('who');
  if (session === null) {
    replace(who);
    return;
  }
  replace(who, h('span', {class: 'user'}, session.user + ' (' + session.role + ')'),
    h('button', {type: 'button', class: 'link', onclick: signOut}, 'Sign out'));
}

async function signOut() {
  try {
    await api('/console/session', {method: 'DELETE'});
  } finally {
    session = null;
    setCsrf(null);
    renderHeader();
    navigate('/signin');
  }
}

export async function signedIn() {
  await loadSession();
}

function render() {
  if (leave) {
    leave();
    leave = null;
  }
  notify(null);
  if (location.pathname === '/') {
    history.replaceState(null, '', '/incidents');
  }
  const path = location.pathname;
  if (session === null && path !== '/signin' && path !== '/signin/link') {
    history.replaceState(null, '', '/signin?next=' + encodeURIComponent(path + location.search));
    return render();
  }
  for (const [pattern, page, params] of routes) {
    const match = path.match(pattern);
    if (match) {
      document.querySelectorAll('#nav a').forEach(a =>
        a.setAttribute('aria-current', path.startsWith(a.getAttribute('href')) ? 'page' : 'false'));
      leave = page.render(main, params(match), new URLSearchParams(location.search)) || null;
      return;
    }
  }
  replace(main, h('h1', {}, 'Not found'), h('p', {}, h('a', {href: '/incidents'}, 'Back to the incidents')));
}

// Same-origin links navigate in the page; others (and modified clicks) go their way.
document.addEventListener('click', event => {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || link.target) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/console/')) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});

window.addEventListener('popstate', render);
window.addEventListener('console:signed-out', () => {
  if (session !== null) {
    session = null;
    renderHeader();
    notify('Your session has ended: sign in again.');
    navigate('/signin?next=' + encodeURIComponent(location.pathname + location.search), {replaceState: true});
  }
});

const feedLabels = {live: 'Live', reconnecting: 'Reconnecting…', connecting: ''};
onFeedStatus(status => {
  const element = document.getElementById('feed-status');
  element.className = 'feed feed-' + status;
  replace(element, feedLabels[status] || '');
});

await loadSession();
render();
