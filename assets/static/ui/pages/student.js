// The student's pages: home, self-practice, assigned quizzes.
'use strict';

import { h, field, alertBox, formatDate, humanize, scrollBox } from '../dom.js';
import { api } from '../api.js';
import { typeName } from '../player.js';
import { joinCohortCard } from './cohortadmin.js';

const ITEM_TYPES = ['multiple_choice', 'multiple_response', 'ordered_response', 'numeric', 'matrix',
  'drop_down_cloze', 'drag_drop_rationale', 'highlight', 'bow_tie', 'case_study'];
const CLIENT_NEEDS = ['management_of_care', 'safety_infection_control', 'health_promotion_maintenance',
  'psychosocial_integrity', 'basic_care_comfort', 'pharmacological_parenteral', 'reduction_of_risk',
  'physiological_adaptation'];
const CLIENT_NEED_NAMES = {
  management_of_care: 'Management of care',
  safety_infection_control: 'Safety and infection control',
  health_promotion_maintenance: 'Health promotion and maintenance',
  psychosocial_integrity: 'Psychosocial integrity',
  basic_care_comfort: 'Basic care and comfort',
  pharmacological_parenteral: 'Pharmacological and parenteral therapies',
  reduction_of_risk: 'Reduction of risk potential',
  physiological_adaptation: 'Physiological adaptation',
};

export function clientNeedName(code) {
  return CLIENT_NEED_NAMES[code] || humanize(code);
}

export function studentHome(root, ctx) {
  const user = ctx.user();
  root.replaceChildren(
    h('h1', {}, `Welcome, ${user.display_name || user.username}`),
    h('div', { class: 'cards' },
      h('section', { class: 'card' }, h('h2', {}, 'Practice'),
        h('p', {}, 'Answer freshly generated NCLEX-style questions on a topic or client need, with rationales after you submit.'),
        h('a', { class: 'button', href: '#/practice' }, 'Start practice')),
      h('section', { class: 'card' }, h('h2', {}, 'Quizzes'),
        h('p', {}, 'Quizzes your instructors assigned to your cohorts.'),
        h('a', { class: 'button', href: '#/quizzes' }, 'My quizzes')),
      h('section', { class: 'card' }, h('h2', {}, 'Adaptive exam'),
        h('p', {}, 'An NCLEX-style adaptive exam: pass, fail or undetermined, with your standing per client need.'),
        h('a', { class: 'button', href: '#/exam' }, 'Start or resume')),
      h('section', { class: 'card' }, h('h2', {}, 'Readiness'),
        h('p', {}, 'Your estimated probability of passing, its interval and what it rests on, with what to practise next.'),
        h('a', { class: 'button', href: '#/readiness' }, 'See readiness')),
      joinCohortCard()));
}

export function practicePage(root, ctx, params) {
  const topic = h('input', { type: 'text', autocomplete: 'off', maxlength: '200' });
  const need = h('select', {}, h('option', { value: '' }, 'Any client need'),
    CLIENT_NEEDS.map((code) => h('option', { value: code }, clientNeedName(code))));
  const count = h('input', { type: 'number', min: '1', max: '50', value: '10', inputmode: 'numeric' });
  const difficulty = h('select', {}, h('option', { value: '' }, 'Any'),
    ['beginner', 'intermediate', 'advanced'].map((level) => h('option', { value: level }, humanize(level))));
  const types = h('fieldset', { class: 'checks' }, h('legend', {}, 'Item types (none ticked: any type)'),
    ITEM_TYPES.map((type) => {
      const id = `type-${type}`;
      return h('div', { class: 'option' }, h('input', { type: 'checkbox', id, value: type }), h('label', { for: id }, typeName(type)));
    }));
  // A recommendation links here with its practice set in the query.
  if (params && params.get('client_need')) {
    need.value = params.get('client_need');
  }
  if (params && params.get('count')) {
    count.value = params.get('count');
  }
  if (params && params.get('topic')) {
    topic.value = params.get('topic');
  }
  const problem = h('div', { class: 'form-problem' });
  const suggestions = h('div', { class: 'suggestions' });
  const submit = h('button', { type: 'submit' }, 'Start');
  const form = h('form', { class: 'card', novalidate: true },
    h('h1', {}, 'Practice'),
    problem,
    field('Topic (optional)', topic, 'A condition, drug, lab or area, for example "heart failure", "digoxin" or "delegation".'),
    suggestions,
    field('Client need', need),
    field('Difficulty', difficulty),
    field('Number of questions', count, '1 to 50.'),
    types,
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    suggestions.replaceChildren();
    const body = { count: Number(count.value) };
    if (topic.value.trim()) {
      body.topic = topic.value.trim();
    }
    if (need.value) {
      body.client_need = need.value;
    }
    if (difficulty.value) {
      body.difficulty = difficulty.value;
    }
    const picked = [...types.querySelectorAll('input:checked')].map((input) => input.value);
    if (picked.length) {
      body.item_types = picked;
    }
    submit.disabled = true;
    submit.textContent = 'Preparing questions…';
    try {
      const attempt = await api('POST', '/practice', body);
      ctx.go(`#/attempt/${attempt.attempt_id}`);
    } catch (error) {
      problem.append(alertBox(error.fields.length ? error.fields.map((f) => f.message).join(' ') : error.message));
      const offered = error.body && error.body.details && error.body.details.suggestions;
      if (Array.isArray(offered) && offered.length) {
        suggestions.append(h('p', {}, 'Topics you could try:'),
          h('ul', { class: 'inline-list' }, offered.map((text) => h('li', {},
            h('button', { type: 'button', class: 'link', onclick: () => { topic.value = text; topic.focus(); } }, text)))));
      }
    } finally {
      submit.disabled = false;
      submit.textContent = 'Start';
    }
  });
  root.replaceChildren(form);
}

export async function quizzesPage(root, ctx) {
  root.replaceChildren(h('h1', {}, 'My quizzes'), h('p', { class: 'muted' }, 'Loading…'));
  let quizzes;
  try {
    quizzes = await api('GET', '/quizzes');
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'My quizzes'), alertBox(error.message));
    return;
  }
  const list = Array.isArray(quizzes) ? quizzes : (quizzes.quizzes || []);
  const problem = h('div', {});
  const rows = list.map((quiz) => {
    const start = h('button', {
      type: 'button',
      onclick: async () => {
        problem.replaceChildren();
        start.disabled = true;
        try {
          const attempt = await api('POST', `/quizzes/${quiz.id}/attempts`);
          ctx.go(`#/attempt/${attempt.attempt_id}`);
        } catch (error) {
          problem.append(alertBox(error.message));
          start.disabled = false;
        }
      },
    }, 'Start or resume');
    start.setAttribute('aria-label', `Start or resume ${quiz.title}`);
    return h('tr', {},
      h('th', { scope: 'row' }, quiz.title),
      h('td', {}, quiz.item_count !== undefined ? String(quiz.item_count) : ''),
      h('td', {}, quiz.time_limit_minutes ? `${quiz.time_limit_minutes} min` : 'None'),
      h('td', {}, quiz.closes_at ? formatDate(quiz.closes_at) : ''),
      h('td', {}, start));
  });
  root.replaceChildren(h('h1', {}, 'My quizzes'), problem,
    rows.length
      ? scrollBox('Assigned quizzes', h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['Quiz', 'Questions', 'Time limit', 'Closes', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows)))
      : h('p', {}, 'No quiz is assigned to your cohorts yet.'));
}
