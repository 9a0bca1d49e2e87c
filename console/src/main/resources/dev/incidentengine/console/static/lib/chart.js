// Small SVG charts built with DOM calls: geometry as presentation attributes, colours as CSS classes (the CSP allows no
// inline style), a <title> and description per chart, and the same figures as a table for screen readers and tests.
import {h} from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const PAD = {top: 12, right: 12, bottom: 36, left: 64};
let ids = 0;

function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Up to five round ticks from 0 to at least max. */
function ticks(max) {
  if (!(max > 0)) return [0, 1];
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map(m => m * magnitude).find(m => m >= rough);
  const list = [];
  for (let t = 0; t < max + step; t += step) list.push(t);
  return list;
}

function frame(title, description, height) {
  const id = 'chart-' + (++ids);
  const svg = s('svg', {viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-labelledby': id + '-title ' + id + '-desc', class: 'chart-svg',
    preserveAspectRatio: 'xMinYMin meet'},
  s('title', {id: id + '-title'}, title), s('desc', {id: id + '-desc'}, description));
  return {id, svg};
}

/** The figures as a table: the first column names the row, each cell's data-value holds the raw number. */
function dataTable(caption, columns, rows) {
  return h('table', {class: 'visually-hidden chart-data'},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map(column => h('th', {scope: 'col'}, column)))),
    h('tbody', {}, rows.map(row => h('tr', {},
      h('th', {scope: 'row'}, row.label),
      row.cells.map(cell => h('td', {dataset: {value: cell.value === null ? '' : String(cell.value)}}, cell.text))))));
}

/**
 * A line per series over categories (x), with a value axis from 0; a null value breaks the line.
 * series: [{name, className, values: [number|null]}]; format(number) labels values, label(category) the x axis.
 */
export function lineChart({title, description, categories, series, format, label = String}) {
  const height = 240;
  const {svg} = frame(title, description, height);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const values = series.flatMap(line => line.values).filter(v => v !== null);
  const yTicks = ticks(Math.max(0, ...values));
  const top = yTicks[yTicks.length - 1];
  const x = i => PAD.left + (categories.length <= 1 ? plotW / 2 : i * plotW / (categories.length - 1));
  const y = v => PAD.top + plotH - v / top * plotH;
  const axis = s('g', {class: 'axis'});
  yTicks.forEach(t => axis.append(
    s('line', {x1: PAD.left, x2: WIDTH - PAD.right, y1: y(t), y2: y(t), class: 'grid'}),
    s('text', {x: PAD.left - 6, y: y(t) + 4, 'text-anchor': 'end'}, format(t))));
  // At most 8 labels; the first and last kept inside the frame.
  const every = Math.max(1, Math.ceil(categories.length / 8));
  categories.forEach((category, i) => {
    if (i % every !== 0) return;
    const anchor = categories.length === 1 ? 'middle' : i === 0 ? 'start' : i === categories.length - 1 ? 'end' : 'middle';
    axis.append(s('text', {x: x(i), y: height - PAD.bottom + 16, 'text-anchor': anchor}, label(category)));
  });
  axis.append(s('line', {x1: PAD.left, x2: WIDTH - PAD.right, y1: y(0), y2: y(0), class: 'baseline'}));
  svg.append(axis);
  for (const line of series) {
    let d = '';
    let pen = 'M';
    const points = s('g', {class: 'points ' + line.className});
    line.values.forEach((v, i) => {
      if (v === null) {
        pen = 'M';
        return;
      }
      d += `${pen}${x(i).toFixed(1)} ${y(v).toFixed(1)} `;
      pen = 'L';
      points.append(s('circle', {cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 3},
        s('title', {}, `${line.name}, ${categories[i]}: ${format(v)}`)));
    });
    svg.append(s('path', {d: d.trim(), fill: 'none', 'stroke-width': 2, class: 'line ' + line.className}), points);
  }
  const legend = h('ul', {class: 'legend', 'aria-hidden': 'true'},
    series.map(line => h('li', {}, h('span', {class: 'swatch ' + line.className}), line.name)));
  return h('figure', {class: 'chart'}, h('figcaption', {}, title), svg, legend,
    dataTable(title, ['Period', ...series.map(line => line.name)], categories.map((category, i) => ({label: category,
      cells: series.map(line => ({value: line.values[i], text: line.values[i] === null ? '–' : format(line.values[i])}))}))));
}

/** Horizontal bars, one per item: items [{label, value}], largest first as given. */
export function barChart({title, description, items, format, labelName, valueName}) {
  const row = 24;
  const height = PAD.top + items.length * row + 8;
  const {svg} = frame(title, description, height);
  const left = 160;
  const plotW = WIDTH - left - 60;
  const max = Math.max(1, ...items.map(item => item.value));
  items.forEach((item, i) => {
    const yTop = PAD.top + i * row;
    const width = Math.max(1, item.value / max * plotW);
    svg.append(s('g', {class: 'bar'},
      s('text', {x: left - 8, y: yTop + 16, 'text-anchor': 'end'}, item.label.length > 22 ? item.label.slice(0, 21) + '…' : item.label),
      s('rect', {x: left, y: yTop + 4, width: width.toFixed(1), height: row - 8, rx: 2},
        s('title', {}, `${item.label}: ${format(item.value)}`)),
      s('text', {x: left + width + 6, y: yTop + 16}, format(item.value))));
  });
  return h('figure', {class: 'chart'}, h('figcaption', {}, title), svg,
    dataTable(title, [labelName, valueName], items.map(item => ({label: item.label, cells: [{value: item.value, text: format(item.value)}]}))));
}
