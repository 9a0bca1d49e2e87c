// Sign in with an API token: the engine answers with an HttpOnly session cookie.
import {api} from '../lib/api.js';
import {h, replace} from '../lib/dom.js';
import {currentSession, navigate, signedIn} from '../app.js';

/** Where to go after signing in: a path of this console, never another site. */
function next(query) {
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
  replace(main, form);
  token.focus();
}
