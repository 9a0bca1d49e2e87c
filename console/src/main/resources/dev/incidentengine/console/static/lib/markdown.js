// Renders the Markdown the engine's postmortem writer produces as DOM nodes built with h(): headings,
// paragraphs, tables, lists, **bold**, _italic_, `code`, backslash escapes and [links](...). Text is
// never parsed as HTML (a tag in an alert's summary shows as text), and only http(s) links become
// links; any other [text](target) stays the text it was written as.
import {h, safeLink} from './dom.js';

// CommonMark's escapable characters: a backslash before one of them shows it as it is.
const ESCAPABLE = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** The nodes of a document; `headingOffset` moves its headings below the page's own (# is h1 + offset). */
export function markdown(text, {headingOffset = 0} = {}) {
  const nodes = [];
  const lines = String(text).split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (heading) {
      nodes.push(h('h' + Math.min(6, heading[1].length + headingOffset), {}, inline(heading[2])));
      i++;
    } else if (line.startsWith('|')) {
      const rows = [];
      while (i < lines.length && lines[i].startsWith('|')) rows.push(cells(lines[i++]));
      nodes.push(table(rows));
    } else if (/^- /.test(line) || line === '-') {
      const items = [];
      while (i < lines.length && (/^- /.test(lines[i]) || lines[i] === '-')) items.push(h('li', {}, inline(lines[i++].slice(2))));
      nodes.push(h('ul', {}, items));
    } else if (line.trim() === '') {
      i++;
    } else {
      const paragraph = [];
      while (i < lines.length && lines[i].trim() !== '' && !/^(#{1,6} |\||- )/.test(lines[i])) paragraph.push(lines[i++]);
      nodes.push(h('p', {}, inline(paragraph.join(' '))));
    }
  }
  return nodes;
}

/** A table's cells: split at the pipes that are not escaped, the outer ones dropped. */
function cells(line) {
  const cells = [];
  let start = 1;
  for (let i = 1; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '|') {
      cells.push(line.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (line.slice(start).trim() !== '') cells.push(line.slice(start).trim());
  return cells;
}

/** Header row, separator, body; a header of empty cells (a key-value table) is left out. Scrolls sideways on a phone. */
function table(rows) {
  const separator = rows.length > 1 && rows[1].every(cell => /^:?-+:?$/.test(cell));
  const head = separator ? rows[0] : null;
  const body = separator ? rows.slice(2) : rows;
  return h('div', {class: 'table-scroll', tabindex: '0'},
    h('table', {},
      head && head.some(cell => cell !== '') ? h('thead', {}, h('tr', {}, head.map(cell => h('th', {scope: 'col'}, inline(cell))))) : null,
      h('tbody', {}, body.map(row => h('tr', {}, row.map(cell => h('td', {}, inline(cell))))))));
}

/** Where `token` next stands in `text` from `from`, not escaped; -1 when nowhere. */
function find(text, token, from) {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text.startsWith(token, i)) return i;
  }
  return -1;
}

/** Inline markup as nodes; what is not markup, text. */
export function inline(text) {
  const out = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push(plain);
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && ESCAPABLE.includes(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push(h('code', {}, text.slice(i + 1, end)));
        i = end + 1;
        continue;
      }
    }
    if (text.startsWith('**', i)) {
      const end = find(text, '**', i + 2);
      if (end > i + 2) {
        flush();
        out.push(h('strong', {}, inline(text.slice(i + 2, end))));
        i = end + 2;
        continue;
      }
    }
    // _emphasis_ only at word boundaries: an identifier like disk_full_alert stays as it is.
    if (c === '_' && (i === 0 || /[\s(]/.test(text[i - 1]))) {
      const end = find(text, '_', i + 1);
      if (end > i + 1 && (end + 1 === text.length || /[\s).,:;!?]/.test(text[end + 1]))) {
        flush();
        out.push(h('em', {}, inline(text.slice(i + 1, end))));
        i = end + 1;
        continue;
      }
    }
    if (c === '[') {
      const close = find(text, ']', i + 1);
      const end = close > i && text[close + 1] === '(' ? text.indexOf(')', close + 2) : -1;
      if (end > 0) {
        const target = text.slice(close + 2, end);
        flush();
        out.push(/^https?:\/\//i.test(target) ? safeLink(target, inline(text.slice(i + 1, close))) : text.slice(i, end + 1));
        i = end + 1;
        continue;
      }
    }
    plain += c;
    i++;
  }
  flush();
  return out;
}
