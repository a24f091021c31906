// The adaptive practice exam: one item at a time (the server picks the next by the Rasch
// model), then the result with θ, its interval, the decision and the bands per client need.
'use strict';

import { h, field, alertBox, probability } from '../dom.js';
import { api } from '../api.js';
import { renderItem, isEmpty, typeName } from '../player.js';
import { clientNeedName } from './student.js';

const DECISIONS = {
  pass: 'Above the passing standard',
  fail: 'Below the passing standard',
  undetermined: 'Not determined: the interval still contains the passing standard',
};

export function examStartPage(root, ctx) {
  const length = h('select', {},
    h('option', { value: 'full' }, 'Full length: 85 to 150 items, as the NCLEX'),
    h('option', { value: 'short' }, 'Short practice: 10 to 30 items'));
  const problem = h('div', {});
  const start = h('button', { type: 'submit' }, 'Start or resume');
  const form = h('form', { class: 'card', novalidate: true },
    h('h1', {}, 'Adaptive practice exam'),
    h('p', {}, 'Each question is chosen from your answers so far, as on the NCLEX. The exam stops when the 95% interval of your ability is clearly above or below the passing standard, or at the maximum length. An unfinished exam resumes where you left it.'),
    problem,
    field('Length', length),
    start);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    start.disabled = true;
    problem.replaceChildren();
    const body = length.value === 'short' ? { min_items: 10, max_items: 30 } : {};
    // The first exam after a start waits for the item bank to be built (503 until then).
    for (let tries = 0; ; tries += 1) {
      try {
        const session = await api('POST', '/cat/sessions', body);
        ctx.go(`#/exam/${session.session_id}`);
        return;
      } catch (error) {
        if (error.status === 503 && tries < 60) {
          problem.replaceChildren(alertBox('The exam\'s item bank is being prepared; it starts by itself in a moment…', 'info'));
          await new Promise((resolve) => { window.setTimeout(resolve, 3000); });
          continue;
        }
        problem.replaceChildren(alertBox(error.message));
        start.disabled = false;
        return;
      }
    }
  });
  root.replaceChildren(form);
}

export async function examPage(root, ctx, params, sessionId) {
  root.replaceChildren(h('p', { class: 'muted' }, 'Loading the exam…'));
  let view;
  try {
    // Starting again resumes the unfinished session and returns its pending item.
    view = await api('POST', '/cat/sessions', {});
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Adaptive practice exam'), alertBox(error.message));
    return;
  }
  if (String(view.session_id) !== String(sessionId) && !view.result) {
    ctx.go(`#/exam/${view.session_id}`);
    return;
  }
  draw(root, ctx, view);
}

function draw(root, ctx, view) {
  if (view.result) {
    root.replaceChildren(result(view.result));
    root.querySelector('h1').focus();
    return;
  }
  const item = view.item;
  let answer = null;
  const problem = h('div', {});
  const submit = h('button', { type: 'button' }, 'Submit answer');
  submit.disabled = true;
  submit.addEventListener('click', async () => {
    submit.disabled = true;
    problem.replaceChildren();
    try {
      const next = await api('POST', `/cat/sessions/${view.session_id}/answers`, { item_id: item.id, answer });
      draw(root, ctx, { ...view, ...next, session_id: view.session_id });
    } catch (error) {
      problem.replaceChildren(alertBox(error.message));
      submit.disabled = false;
    }
  });
  const heading = h('h2', { tabindex: '-1', class: 'item-heading' }, `Question ${view.items_answered + 1}`,
    h('span', { class: 'item-type' }, ` · ${typeName(item.item_type)}`));
  root.replaceChildren(
    h('div', { class: 'attempt' },
      h('div', { class: 'attempt-bar' }, h('h1', {}, 'Adaptive practice exam'),
        h('p', {}, `${view.items_answered} answered; the exam ends between ${view.min_items} and ${view.max_items} items.`)),
      problem,
      h('section', { class: 'attempt-item' }, heading,
        renderItem(item, null, (next) => {
          answer = next;
          submit.disabled = isEmpty(next);
        }),
        h('p', { class: 'hint' }, 'As on the NCLEX, an answer cannot be changed once submitted.'),
        h('div', { class: 'attempt-actions' }, submit))));
  heading.focus();
}

function result(outcome) {
  return h('div', {},
    h('h1', { tabindex: '-1' }, 'Exam result'),
    h('p', { class: 'score' }, DECISIONS[outcome.decision] || outcome.decision),
    h('dl', { class: 'answer-pair' },
      h('dt', {}, 'Ability estimate θ'), h('dd', {}, `${outcome.theta.toFixed(2)} logits (passing standard 0.00)`),
      h('dt', {}, '95% interval'), h('dd', {}, `${outcome.ci_low.toFixed(2)} to ${outcome.ci_high.toFixed(2)} (SE ${outcome.se.toFixed(2)})`),
      h('dt', {}, 'Probability above the standard'), h('dd', {}, probability(outcome.p_pass)),
      h('dt', {}, 'Items answered'), h('dd', {}, String(outcome.items_answered))),
    h('h2', {}, 'By client need'),
    h('p', { class: 'hint' }, 'Like the NCSBN candidate performance report: above, near or below the passing standard in each area.'),
    h('ul', { class: 'bands' }, Object.entries(outcome.bands || {}).map(([need, band]) => h('li', { class: `band band-${band}` },
      h('strong', {}, `${clientNeedName(need)}: `), band === 'above' ? 'Above the passing standard' : band === 'below' ? 'Below the passing standard' : 'Near the passing standard'))),
    h('p', {}, h('a', { class: 'button', href: '#/readiness' }, 'See your readiness')));
}
