// The review of a submitted attempt: score, subtotals, and per item the student's answer, the
// key, the points, the rationale and every option's rationale.
'use strict';

import { h, alertBox, percent, scrollBox } from '../dom.js';
import { api } from '../api.js';
import { describeAnswer, typeName } from '../player.js';
import { clientNeedName } from './student.js';
import { humanize } from '../dom.js';

export async function reviewPage(root, ctx, params, attemptId) {
  root.replaceChildren(h('p', { class: 'muted' }, 'Loading the review…'));
  let review;
  try {
    review = await api('GET', `/attempts/${attemptId}/review`);
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Review'), alertBox(error.message));
    return;
  }
  const items = review.items || [];
  root.replaceChildren(
    h('h1', {}, 'Result'),
    h('p', { class: 'score' }, `Score: ${review.score} of ${review.max_score} points (${percent(review.percent)})`),
    review.keys_shown === false
      ? h('p', {}, 'Your instructor has not released the answers and rationales for this quiz.')
      : null,
    subtotals('By client need', review.subtotals && review.subtotals.client_need, clientNeedName),
    subtotals('By clinical judgment function', review.subtotals && review.subtotals.ncjmm_function, humanize),
    review.keys_shown === false ? null : h('section', {}, h('h2', {}, 'Questions'), items.map(reviewItem)),
    h('p', {}, h('a', { class: 'button', href: '#/practice' }, 'Practise again')));
  const heading = root.querySelector('h1');
  heading.tabIndex = -1;
  heading.focus();
}

function subtotals(title, table, name) {
  if (!table || !Object.keys(table).length) {
    return null;
  }
  return h('section', {}, h('h2', {}, title), scrollBox(title, h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, ['Category', 'Items', 'Points', 'Share'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, Object.entries(table).map(([code, row]) => h('tr', {},
      h('th', { scope: 'row' }, name(code)),
      h('td', {}, String(row.items)),
      h('td', {}, `${row.points} of ${row.max_points}`),
      h('td', {}, row.max_points ? percent((100 * row.points) / row.max_points) : '')))))));
}

function reviewItem(entry, index) {
  const item = entry.item || {};
  const full = entry.points === entry.max_points;
  return h('article', { class: `review-item ${full ? 'full' : entry.points ? 'partial' : 'none'}` },
    h('h3', {}, `Question ${index + 1} · ${typeName(item.item_type)} · ${entry.points} of ${entry.max_points} points`),
    item.exhibit ? h('div', { class: 'exhibit' }, item.exhibit) : null,
    item.scenario ? h('div', { class: 'exhibit' }, item.scenario) : null,
    h('p', { class: 'stem' }, item.question),
    h('dl', { class: 'answer-pair' },
      h('dt', {}, 'Your answer'), h('dd', {}, describeAnswer(item, entry.answer)),
      h('dt', {}, 'Correct answer'), h('dd', {}, describeAnswer(item, item.correct_answer))),
    item.rationale ? h('p', { class: 'rationale' }, h('strong', {}, 'Rationale: '), item.rationale) : null,
    optionRationales(item),
    item.item_type === 'case_study' ? h('div', { class: 'case-review' }, (item.items || []).map((part, i) => h('section', {},
      h('h4', {}, `Part ${i + 1} · ${typeName(part.item_type)}`),
      part.exhibit ? h('div', { class: 'exhibit' }, part.exhibit) : null,
      h('p', { class: 'stem' }, part.question),
      h('dl', { class: 'answer-pair' },
        h('dt', {}, 'Your answer'), h('dd', {}, describeAnswer(part, entry.answer ? entry.answer[part.id] : null)),
        h('dt', {}, 'Correct answer'), h('dd', {}, describeAnswer(part, part.correct_answer))),
      part.rationale ? h('p', { class: 'rationale' }, h('strong', {}, 'Rationale: '), part.rationale) : null,
      optionRationales(part)))) : null);
}

export function optionRationales(item) {
  const rationales = item.option_rationales || {};
  const keys = Object.keys(rationales);
  if (!keys.length) {
    return null;
  }
  const label = (key) => {
    const option = (item.options || []).find((candidate) => candidate.id === key)
      || (item.rows || []).find((candidate) => candidate.id === key);
    if (option) {
      return option.text;
    }
    const [slotId, optionId] = key.split('.');
    const slot = (item.slots || []).find((candidate) => candidate.id === slotId);
    const inSlot = slot && slot.options.find((candidate) => candidate.id === optionId);
    return inSlot ? `Blank ${slotId}: ${inSlot.text}` : key;
  };
  return h('details', { class: 'option-rationales' }, h('summary', {}, 'Why each option is right or wrong'),
    h('ul', {}, keys.map((key) => h('li', {}, h('strong', {}, `${label(key)}: `), rationales[key]))));
}
