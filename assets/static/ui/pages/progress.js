// The student's readiness and progress: P(pass) with its interval and the number of answers it
// rests on, accuracy per category with its evidence, the weekly trend, and practice to do next.
'use strict';

import { h, alertBox, percent, probability, svg, humanize } from '../dom.js';
import { api } from '../api.js';
import { barChart } from '../chart.js';
import { clientNeedName } from './student.js';

const GAP_REASONS = {
  too_little_practice: 'too little practice to judge',
  low_accuracy: 'accuracy below the target',
};

export async function readinessPage(root, ctx) {
  const user = ctx.user();
  root.replaceChildren(h('h1', {}, 'Readiness'), h('p', { class: 'muted' }, 'Loading…'));
  let readiness;
  let progress;
  try {
    [readiness, progress] = await Promise.all([
      api('GET', `/analytics/student/${user.id}/readiness`),
      api('GET', `/analytics/student/${user.id}/progress`),
    ]);
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Readiness'), alertBox(error.message));
    return;
  }
  if (!readiness.readiness) {
    root.replaceChildren(h('h1', {}, 'Readiness'),
      h('p', {}, 'No data yet: answer some practice questions or take the adaptive exam, and your estimate appears here.'),
      h('a', { class: 'button', href: '#/practice' }, 'Start practice'));
    return;
  }
  const r = readiness.readiness;
  const p = progress.progress;
  const few = r.n < (p ? p.min_evidence : 20);
  root.replaceChildren(
    h('h1', {}, 'Readiness'),
    h('section', { class: 'card' },
      h('p', { class: 'score' }, `Estimated probability of passing: ${probability(r.p_pass)}`),
      h('p', {}, `95% interval ${probability(r.p_pass_low)} to ${probability(r.p_pass_high)}, from ${r.n} scored answers.`),
      band(r),
      few ? h('p', { class: 'notice info' }, 'This rests on few answers, so the interval is wide: keep practising and it narrows.') : null),
    p ? barChart('Accuracy by client need', p.by_client_need.map((row) => ({
      label: clientNeedName(row.key),
      value: row.n ? row.accuracy : null,
      note: row.n ? `${percent(100 * row.accuracy)} (n=${row.n})` : 'no answers',
    }))) : null,
    p && p.weekly.length ? trend(p.weekly) : null,
    p && p.recommendations.length ? h('section', {}, h('h2', {}, 'What to practise next'),
      h('ul', {}, p.recommendations.slice(0, 6).map((rec) => {
        const query = new URLSearchParams();
        for (const [key, value] of Object.entries(rec.practice || {})) {
          query.set(key, String(value));
        }
        const name = rec.dimension === 'client_need' ? clientNeedName(rec.key) : `${humanize(rec.dimension)} ${rec.key}`;
        return h('li', {}, `${name}: ${GAP_REASONS[rec.reason] || humanize(rec.reason)}. `,
          h('a', { href: `#/practice?${query}` }, `Practise ${name}`));
      }))) : null);
}

/** P(pass) as a band with its interval on a 0–100% line. */
function band(r) {
  const x = (value) => 10 + value * 480;
  return h('figure', { class: 'chart-figure' },
    h('figcaption', {}, 'Probability of passing with its 95% interval'),
    svg('svg', { viewBox: '0 0 500 50', class: 'chart', role: 'img', 'aria-label': `Probability of passing ${probability(r.p_pass)}, interval ${probability(r.p_pass_low)} to ${probability(r.p_pass_high)}` },
      svg('rect', { x: 10, y: 20, width: 480, height: 8, class: 'chart-track' }),
      svg('rect', { x: x(r.p_pass_low), y: 16, width: Math.max(2, x(r.p_pass_high) - x(r.p_pass_low)), height: 16, class: 'chart-bar', opacity: 0.45 }),
      svg('circle', { cx: x(r.p_pass), cy: 24, r: 7, class: 'chart-point' }),
      svg('text', { x: 10, y: 48, class: 'chart-label' }, '0%'),
      svg('text', { x: 490, y: 48, class: 'chart-label', 'text-anchor': 'end' }, '100%')));
}

/** Weekly accuracy as a line with the number of answers under each week. */
function trend(weeks) {
  const width = 500;
  const step = weeks.length > 1 ? 440 / (weeks.length - 1) : 0;
  const y = (accuracy) => 110 - accuracy * 90;
  const points = weeks.map((w, i) => [30 + i * step, y(w.accuracy || 0)]);
  return h('figure', { class: 'chart-figure' },
    h('figcaption', {}, 'Accuracy per week'),
    svg('svg', { viewBox: `0 0 ${width} 150`, class: 'chart', role: 'img', 'aria-label': `Accuracy per week: ${weeks.map((w) => `${w.week_start} ${percent(100 * (w.accuracy || 0))} over ${w.n}`).join('; ')}` },
      svg('line', { x1: 30, y1: y(0), x2: 470, y2: y(0), class: 'chart-axis' }),
      svg('line', { x1: 30, y1: y(1), x2: 470, y2: y(1), class: 'chart-axis' }),
      svg('text', { x: 0, y: y(1) + 4, class: 'chart-label' }, '100%'),
      svg('text', { x: 0, y: y(0) + 4, class: 'chart-label' }, '0%'),
      points.length > 1 ? svg('polyline', { points: points.map((pt) => pt.join(',')).join(' '), class: 'chart-line' }) : null,
      points.map(([px, py], i) => [
        svg('circle', { cx: px, cy: py, r: 4, class: 'chart-point' }),
        svg('text', { x: px - 12, y: 140, class: 'chart-label' }, `n=${weeks[i].n}`),
      ])));
}
