// Sign in with an API token, or have a one-time link e-mailed: the engine answers with an HttpOnly session cookie.
import {api} from '../lib/api.js';
import {h, replace} from '../lib/dom.js';
import {currentSession, navigate, signedIn} from '../app.js';

/** Where to go after signing in: a path of this console, never another site. */
export function next(query) {
  const target = query.get('next') || '/incidents';
  return target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/signin') ? target : '/incidents';
}

export function render(main, params, query) {
  if (currentSession() !== null) {
    navigate(next(query), {replaceState: true});
    return;
  }
  document.title = 'Sign in · Incidents';
  const error = h('p', {class: 'error', id: 'signin-error', role: 'alert'});
  const token = h('input', {id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true,
    'aria-describedby': 'signin-error'});
  const form = h('form', {class: 'signin', onsubmit: async event => {
    event.preventDefault();
    replace(error);
    try {
      await api('/console/session', {method: 'POST', body: {token: token.value}});
      await signedIn();
      navigate(next(query), {replaceState: true});
    } catch (e) {
      replace(error, e.status === 403 ? 'That token is not known here.' : e.message);
      token.select();
    }
  }},
  h('h1', {}, 'Sign in'),
  h('label', {for: 'token'}, 'API token'),
  token,
  error,
  h('button', {type: 'submit', class: 'primary'}, 'Sign in'));
  replace(main, form, linkForm(query));
  token.focus();
}

/** Asks for a sign-in link by user name or e-mail; the answer is the same whoever that is, so it says only what may happen. */
function linkForm(query) {
  const status = h('p', {class: 'muted', id: 'link-status', role: 'status'});
  const login = h('input', {id: 'login', name: 'login', type: 'text', autocomplete: 'username', required: true,
    'aria-describedby': 'link-status'});
  return h('form', {class: 'signin signin-link', onsubmit: async event => {
    event.preventDefault();
    replace(status);
    try {
      const answer = await api('/console/session/link', {method: 'POST', body: {login: login.value, next: next(query)}});
      replace(status, 'If that is a user with an e-mail address, a sign-in link is on its way to it. It works once, within '
        + answer.expiresInMinutes + ' minutes.');
    } catch (e) {
      replace(status, e.message);
    }
  }},
  h('h2', {}, 'Or get a sign-in link by e-mail'),
  h('label', {for: 'login'}, 'User name or e-mail address'),
  login,
  status,
  h('button', {type: 'submit'}, 'E-mail me a link'));
}
