// Builds DOM nodes; text is always set as text, never parsed as HTML, so alert text cannot inject markup.

/** h('a', {href: '/x', class: 'c', onclick: fn}, 'text', child) */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

const UNITS = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];

/** A duration as the two largest units: "3h 12m", "45s". */
export function duration(ms) {
  let seconds = Math.max(0, Math.floor(ms / 1000));
  const parts = [];
  for (const [unit, size] of UNITS) {
    if (seconds >= size || (unit === 's' && parts.length === 0)) {
      parts.push(Math.floor(seconds / size) + unit);
      seconds %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** "5m ago", with the exact local time as a tooltip. */
export function ago(iso, now = Date.now()) {
  if (!iso) return '';
  return h('time', {datetime: iso, title: new Date(iso).toLocaleString()}, duration(now - Date.parse(iso)) + ' ago');
}

export function severityBadge(severity) {
  return h('span', {class: 'sev sev-' + String(severity).toLowerCase()}, severity);
}

export function statusBadge(status) {
  return h('span', {class: 'status status-' + String(status).toLowerCase()}, String(status).toLowerCase());
}

/** Only http(s) links are rendered as links: a javascript: URL in an alert stays text. */
export function safeLink(url, text) {
  try {
    const parsed = new URL(url, location.origin);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
      return h('a', {href: parsed.href, rel: 'noopener noreferrer', target: '_blank'}, text || url);
    }
  } catch (e) {
    // Not a URL: shown as text.
  }
  return h('span', {}, text || url);
}
