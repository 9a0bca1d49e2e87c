// The page a mailed sign-in link opens. It signs in only when its button is pressed: a mail scanner that follows
// (or even renders) the link must not use it up. The link's token is in the URL's fragment, which no request carries.
import {api} from '../lib/api.js';
import {h, replace} from '../lib/dom.js';
import {navigate, signedIn} from '../app.js';
import {next} from './signin.js';

export function render(main, params, query) {
  document.title = 'Sign in with a link · Incidents';
  const token = location.hash.slice(1);
  const error = h('p', {class: 'error', id: 'link-error', role: 'alert'});
  const again = h('p', {}, h('a', {href: '/signin'}, 'Ask for a new link or sign in with a token'));
  if (!token) {
    replace(main, h('div', {class: 'signin'}, h('h1', {}, 'Sign in with a link'),
      h('p', {}, 'This address has no sign-in link in it: open the link from the e-mail as it is.'), again));
    return;
  }
  const button = h('button', {type: 'submit', class: 'primary'}, 'Sign in');
  const form = h('form', {class: 'signin', onsubmit: async event => {
    event.preventDefault();
    replace(error);
    button.disabled = true;
    try {
      await api('/console/session/link/redeem', {method: 'POST', body: {token}});
      // The token is used up; keep it out of the history.
      history.replaceState(null, '', location.pathname + location.search);
      await signedIn();
      navigate(next(query), {replaceState: true});
    } catch (e) {
      replace(error, e.message);
      // Refused (used, expired, forged) stays refused; anything else may pass on a second try.
      button.disabled = e.status === 403;
    }
  }},
  h('h1', {}, 'Sign in with a link'),
  h('p', {}, 'This link signs you in once. Press the button to sign in.'),
  error,
  button,
  again);
  replace(main, form);
  button.focus();
}
