// The change feed (Server-Sent Events). The browser reconnects by itself after a dropped connection,
// sending Last-Event-ID; when the engine refuses (an instance restarting answers 503), EventSource
// gives up, so this reconnects with the last id as a parameter: no change is lost either way.

const listeners = new Set();
const followers = new Set();
let status = 'connecting';

// A page left for another stays in the browser's back/forward cache with its connections open, and
// a browser opens at most six to a host: three or four such pages starved the next page's requests.
// So the feed closes when the page is hidden and, if the page comes back, opens again and the page
// reads what it shows again (it may have been hidden before the feed's first event: no id to go on from).
window.addEventListener('pagehide', () => followers.forEach(follower => follower.pause()));
window.addEventListener('pageshow', event => {
  if (event.persisted) followers.forEach(follower => follower.resume());
});

export function feedStatus() {
  return status;
}

/** Calls back with 'live', 'reconnecting' or 'connecting' whenever any feed's state changes. */
export function onFeedStatus(listener) {
  listeners.add(listener);
  listener(status);
  return () => listeners.delete(listener);
}

function setStatus(next) {
  status = next;
  listeners.forEach(listener => listener(next));
}

/**
 * Follows the feed with these query parameters; returns a function that stops. {@code onReconnect}
 * runs when the feed is live again after an interruption: what the page read meanwhile may have failed.
 */
export function follow(params, onEvent, onReconnect = () => {}) {
  let source = null;
  let lastEventId = null;
  let stopped = false;
  let interrupted = false;
  let retry = 1000;
  let timer = null;

  function open() {
    const query = new URLSearchParams(params);
    if (lastEventId) query.set('lastEventId', lastEventId);
    source = new EventSource('/api/v1/stream?' + query);
    source.onopen = () => {
      retry = 1000;
      setStatus('live');
      if (interrupted) {
        interrupted = false;
        onReconnect();
      }
    };
    source.onmessage = message => {
      if (message.lastEventId) lastEventId = message.lastEventId;
      onEvent(JSON.parse(message.data));
    };
    source.onerror = () => {
      if (stopped) return;
      interrupted = true;
      setStatus('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        timer = setTimeout(open, retry);
        retry = Math.min(retry * 2, 15000);
      }
    };
  }

  const follower = {
    pause() {
      clearTimeout(timer);
      if (source) source.close();
      source = null;
    },
    resume() {
      if (stopped || source) return;
      interrupted = true;
      open();
    },
  };
  followers.add(follower);
  open();
  return () => {
    stopped = true;
    followers.delete(follower);
    follower.pause();
  };
}
