// Instructors' (and admins') pages: cohorts with their dashboards, quizzes with their analysis.
'use strict';

import { h, field, alertBox, formatDate, scrollBox, humanize, percent, probability } from '../dom.js';
import { api } from '../api.js';
import { barChart } from '../chart.js';
import { clientNeedName } from './student.js';
import { typeName } from '../player.js';

const CLIENT_NEEDS = ['management_of_care', 'safety_infection_control', 'health_promotion_maintenance',
  'psychosocial_integrity', 'basic_care_comfort', 'pharmacological_parenteral', 'reduction_of_risk',
  'physiological_adaptation'];
const ITEM_TYPES = ['multiple_choice', 'multiple_response', 'ordered_response', 'numeric', 'matrix',
  'drop_down_cloze', 'drag_drop_rationale', 'highlight', 'bow_tie', 'case_study'];

export async function cohortsPage(root) {
  root.replaceChildren(h('h1', {}, 'Cohorts'), h('p', { class: 'muted' }, 'Loading…'));
  let cohorts;
  try {
    cohorts = await api('GET', '/cohorts');
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Cohorts'), alertBox(error.message));
    return;
  }
  root.replaceChildren(h('h1', {}, 'Cohorts'), cohorts.length
    ? scrollBox('Cohorts', h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, ['Cohort', 'Students', 'Instructors', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, cohorts.map((c) => h('tr', {},
        h('th', { scope: 'row' }, c.name),
        h('td', {}, String(c.students)),
        h('td', {}, String(c.instructors)),
        h('td', {}, h('a', { href: `#/cohorts/${c.id}`, 'aria-label': `Dashboard of ${c.name}` }, 'Dashboard'), ' · ',
          h('a', { href: `#/cohorts/${c.id}/members`, 'aria-label': `Members of ${c.name}` }, 'Members')))))))
    : h('p', {}, 'You have no cohorts yet.'));
}

function riskText(risk) {
  switch (risk.reason) {
    case 'low_readiness':
      return `Low readiness: P(pass) ${probability(risk.p_pass)} over ${risk.n} answers`;
    case 'falling_trend':
      return `Falling: ${percent(100 * risk.earlier_accuracy)} (${risk.earlier_n} answers) → ${percent(100 * risk.recent_accuracy)} (${risk.recent_n}) in the last two weeks`;
    case 'inactive':
      return risk.days === undefined ? 'Inactive: no answer yet' : `Inactive for ${risk.days} days`;
    default:
      return humanize(risk.reason);
  }
}

export async function cohortDashboard(root, ctx, params, cohortId) {
  root.replaceChildren(h('h1', {}, 'Cohort'), h('p', { class: 'muted' }, 'Loading…'));
  let report;
  try {
    report = await api('GET', `/analytics/cohorts/${cohortId}`);
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Cohort'), alertBox(error.message));
    return;
  }
  const summaries = report.student_summaries || [];
  const byId = new Map(summaries.map((s) => [s.student_id, s]));
  const readiness = report.readiness || {};
  const csv = h('button', {
    type: 'button', class: 'secondary',
    onclick: async () => {
      const response = await api('GET', `/analytics/cohorts/${cohortId}?format=csv`, undefined, { raw: true, accept: 'text/csv' });
      const blob = await response.blob();
      const link = h('a', { href: URL.createObjectURL(blob), download: `cohort-${cohortId}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
    },
  }, 'Download CSV (one row per student)');
  root.replaceChildren(
    h('h1', {}, report.cohort_name),
    h('p', {}, `${report.students} students; ${readiness.students_with_data || 0} with answers, ${readiness.students_without_data || 0} without. Figures over fewer than ${report.min_evidence} answers are marked.`),
    csv,
    h('section', {}, h('h2', {}, 'At risk'),
      (report.at_risk || []).length
        ? h('ul', { class: 'risk-list' }, report.at_risk.map((id) => {
          const s = byId.get(id) || { display_name: `Student ${id}`, risks: [] };
          return h('li', {}, h('strong', {}, s.display_name || s.username), ': ', (s.risks || []).map(riskText).join('; '));
        }))
        : h('p', {}, 'No student is on the at-risk list.')),
    readiness.bands ? barChart('Students by readiness (probability of passing)', readiness.bands.map((band) => ({
      label: `${Math.round(band.p_pass_low * 100)}–${Math.round(band.p_pass_high * 100)}%`,
      value: readiness.students_with_data ? band.students / readiness.students_with_data : 0,
      note: `${band.students}`,
    }))) : null,
    barChart('Accuracy by client need (whole cohort)', (report.by_client_need || []).map((row) => ({
      label: clientNeedName(row.client_need),
      value: row.accuracy,
      note: row.accuracy === null ? 'no data' : `${percent(100 * row.accuracy)} (n=${row.responses})`,
    }))),
    h('section', {}, h('h2', {}, 'Students'),
      scrollBox('Students', h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['Student', 'Answers', 'Accuracy', 'P(pass) and interval', 'Last active', 'Risks'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, summaries.map((s) => h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: `#/students/${s.student_id}?cohort=${cohortId}`, title: 'Competency evidence' }, s.display_name || s.username)),
          h('td', {}, `${s.n}${s.n < report.min_evidence ? ' (few)' : ''}`),
          h('td', {}, s.accuracy === null ? 'No data yet' : percent(100 * s.accuracy)),
          h('td', {}, s.readiness ? `${probability(s.readiness.p_pass)} (${probability(s.readiness.p_pass_low)} to ${probability(s.readiness.p_pass_high)})` : 'No data yet'),
          h('td', {}, s.days_since_activity === null || s.days_since_activity === undefined ? 'Never' : `${s.days_since_activity} days ago`),
          h('td', {}, (s.risks || []).map(riskText).join('; ') || 'None'))))))));
}

export async function staffQuizzesPage(root, ctx) {
  root.replaceChildren(h('h1', {}, 'Quizzes'), h('p', { class: 'muted' }, 'Loading…'));
  let listing;
  let cohorts;
  try {
    [listing, cohorts] = await Promise.all([api('GET', '/quizzes'), api('GET', '/cohorts')]);
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Quizzes'), alertBox(error.message));
    return;
  }
  const quizzes = (listing.quizzes || []).filter((q) => q.kind !== 'practice');
  const title = h('input', { type: 'text', required: true, maxlength: '200' });
  const topic = h('input', { type: 'text' });
  const type = h('select', {}, h('option', { value: '' }, 'Any type'), ITEM_TYPES.map((t) => h('option', { value: t }, typeName(t))));
  const need = h('select', {}, h('option', { value: '' }, 'Any client need'), CLIENT_NEEDS.map((c) => h('option', { value: c }, clientNeedName(c))));
  const count = h('input', { type: 'number', min: '1', max: '300', value: '10' });
  const source = h('select', {}, h('option', { value: 'filter' }, 'Items from the bank matching a filter'),
    h('option', { value: 'blueprint' }, 'A blueprint exam with the NCLEX test-plan shares'));
  const minutes = h('input', { type: 'number', min: '1', max: '1440' });
  const review = h('input', { type: 'checkbox', id: 'quiz-show-review', checked: true });
  const cohortBoxes = h('fieldset', { class: 'checks' }, h('legend', {}, 'Assign to cohorts'),
    cohorts.map((c) => h('div', { class: 'option' }, h('input', { type: 'checkbox', id: `cohort-${c.id}`, value: String(c.id) }), h('label', { for: `cohort-${c.id}` }, c.name))));
  const problem = h('div', {});
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, 'Set a quiz'), problem,
    field('Title', title), field('Items', source),
    field('Topic (filter)', topic, 'Leave empty for any topic.'), field('Item type (filter)', type), field('Client need (filter)', need),
    field('Number of items', count), field('Time limit in minutes (optional)', minutes),
    h('div', { class: 'option' }, review, h('label', { for: 'quiz-show-review' }, 'Show keys and rationales after submission')),
    cohortBoxes,
    h('button', { type: 'submit' }, 'Create quiz'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    const body = {
      title: title.value.trim(),
      show_review: review.checked,
      cohort_ids: [...cohortBoxes.querySelectorAll('input:checked')].map((i) => Number(i.value)),
    };
    if (minutes.value) {
      body.time_limit_minutes = Number(minutes.value);
    }
    if (source.value === 'blueprint') {
      body.blueprint = { count: Number(count.value) };
    } else {
      body.filter = { count: Number(count.value) };
      if (topic.value.trim()) {
        body.filter.topic = topic.value.trim();
      }
      if (type.value) {
        body.filter.item_type = type.value;
      }
      if (need.value) {
        body.filter.client_need = need.value;
      }
    }
    try {
      const quiz = await api('POST', '/quizzes', body);
      ctx.go(`#/quizzes/${quiz.id}/analysis`, `Quiz "${quiz.title}" created with ${quiz.item_count} items.`);
    } catch (error) {
      problem.replaceChildren(alertBox(error.fields.length ? error.fields.map((f) => `${f.field}: ${f.message}`).join('; ') : error.message));
    }
  });
  root.replaceChildren(h('h1', {}, 'Quizzes'),
    quizzes.length
      ? scrollBox('Quizzes', h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['Quiz', 'Items', 'Attempts', 'Cohorts', 'Created', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, quizzes.map((q) => h('tr', {},
          h('th', { scope: 'row' }, q.title),
          h('td', {}, String(q.item_count)),
          h('td', {}, String(q.attempt_count)),
          h('td', {}, q.cohort_ids.map((id) => (cohorts.find((c) => c.id === id) || { name: id }).name).join(', ')),
          h('td', {}, formatDate(q.created_at)),
          h('td', {}, h('a', { href: `#/quizzes/${q.id}/analysis`, 'aria-label': `Analysis of ${q.title}` }, 'Analysis')))))))
      : h('p', {}, 'No quiz yet.'),
    form);
}

const FLAG_TEXT = {
  too_hard: 'Hard: p below 0.30',
  too_easy: 'Easy: p above 0.90',
  negative_point_biserial: 'Negative point-biserial: check the key',
  low_point_biserial: 'Point-biserial below 0.20',
  poor_discrimination: 'D below 0.20',
};

function flagText(flag) {
  if (flag.flag === 'non_functioning_distractor') {
    return `Option ${flag.option} chosen by fewer than 5%`;
  }
  return FLAG_TEXT[flag.flag] || humanize(flag.flag);
}

export async function quizAnalysisPage(root, ctx, params, quizId) {
  root.replaceChildren(h('h1', {}, 'Quiz analysis'), h('p', { class: 'muted' }, 'Loading…'));
  let quiz;
  let report;
  try {
    [quiz, report] = await Promise.all([api('GET', `/quizzes/${quizId}`), api('GET', `/analytics/quizzes/${quizId}`)]);
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Quiz analysis'), alertBox(error.message));
    return;
  }
  const items = new Map((quiz.items || []).map((item) => [item.id, item]));
  const r = report.reliability || {};
  const fixed = (value, digits) => (value === null || value === undefined ? '—' : Number(value).toFixed(digits));
  root.replaceChildren(
    h('h1', {}, `Analysis: ${quiz.title}`),
    h('p', {}, `${report.attempts} scored attempt${report.attempts === 1 ? '' : 's'}. KR-20 / alpha ${fixed(r.kr20 ?? r.alpha, 2)}, SEM ${fixed(r.sem, 2)} (k = ${r.k}, n = ${r.n}). Statistics need about 20 attempts before they mean much; a dash means too few.`),
    scrollBox('Item statistics', h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, ['#', 'Item', 'n', 'Difficulty p', 'Discrimination D', 'Point-biserial', 'Flags'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, (report.items || []).map((row, index) => {
        const item = items.get(row.item_id);
        return h('tr', {},
          h('td', {}, String(index + 1)),
          h('th', { scope: 'row' }, item ? `${typeName(item.item_type)}: ${item.question.slice(0, 90)}${item.question.length > 90 ? '…' : ''}` : row.item_id),
          h('td', {}, String(row.n)),
          h('td', {}, fixed(row.difficulty, 2)),
          h('td', {}, fixed(row.discrimination, 2)),
          h('td', {}, fixed(row.point_biserial, 2)),
          h('td', {}, (row.flags || []).map(flagText).join('; ') || 'None'));
      })))));
}
