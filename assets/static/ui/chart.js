// Charts drawn locally as SVG (no library): horizontal bars with their numbers written out, so
// the figure is readable without colour and by screen readers (each chart has a text summary).
'use strict';

import { svg, h } from './dom.js';

/** rows: [{label, value (0..1 or null), note}] → a labelled bar chart. */
export function barChart(title, rows, options) {
  const opts = options || {};
  const width = 720;
  const barHeight = 22;
  const gap = 8;
  const labelWidth = 300;
  const valueWidth = 130;
  const height = rows.length * (barHeight + gap) + gap;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title,
    preserveAspectRatio: 'xMinYMin meet',
  });
  rows.forEach((row, index) => {
    const y = gap + index * (barHeight + gap);
    const plotted = row.value === null || row.value === undefined ? 0 : Math.max(0, Math.min(1, row.value / (opts.max || 1)));
    chart.append(
      svg('text', { x: 0, y: y + barHeight * 0.72, class: 'chart-label' }, row.label),
      svg('rect', { x: labelWidth, y, width: width - labelWidth - valueWidth, height: barHeight, class: 'chart-track' }),
      svg('rect', { x: labelWidth, y, width: (width - labelWidth - valueWidth) * plotted, height: barHeight, class: 'chart-bar' }),
      svg('text', { x: width - valueWidth + 8, y: y + barHeight * 0.72, class: 'chart-value' }, row.note || ''));
  });
  return h('figure', { class: 'chart-figure' }, h('figcaption', {}, title), chart);
}
