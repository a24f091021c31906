// Records instructors and admins keep: a student's AACN competency profile with the evidence
// behind each figure and the form to record a clinical evaluation or simulation score, and NCLEX
// outcomes with the readiness-accuracy report.
'use strict';

import { h, field, alertBox, formatDate, scrollBox, humanize, percent, probability, announce } from '../dom.js';
import { api } from '../api.js';

function problemText(error) {
  return error.fields && error.fields.length ? error.fields.map((f) => `${f.field}: ${f.message}`).join('; ') : error.message;
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

const SOURCE_NAMES = {
  item_response: 'Scored items answered',
  clinical_evaluation: 'Clinical evaluations',
  simulation: 'Simulation scores',
  quiz_score: 'Quiz scores given with an assessment',
};

function competencyName(c) {
  return c.title ? `${c.id} ${c.title}` : c.id;
}

/** A student's competency evidence (from the cohort dashboard's student table). */
export async function studentRecordPage(root, ctx, params, studentId) {
  root.replaceChildren(h('h1', {}, 'Student'), h('p', { class: 'muted' }, 'Loading…'));
  let student;
  let profile;
  try {
    [student, profile] = await Promise.all([
      api('GET', `/auth/users/${studentId}`),
      api('GET', `/assessment/competency/profile/${studentId}`),
    ]);
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Student'), alertBox(error.message));
    return;
  }
  const name = student.display_name || student.username;
  const cohort = params.get('cohort');
  const competencies = profile.competencies || [];
  const profileBox = h('section', {});
  const evidenceBox = h('section', {});

  function renderProfile(view) {
    const rows = view.competencies || [];
    const sources = Object.entries(view.evidence_by_source || {});
    profileBox.replaceChildren(
      h('h2', {}, 'AACN competency profile'),
      h('p', {}, sources.length
        ? `Evidence: ${sources.map(([source, n]) => `${SOURCE_NAMES[source] || humanize(source)} ${n}`).join(', ')}. A figure rests only on the evidence counted beside it.`
        : 'No evidence yet: no scored item, evaluation or simulation.'),
      scrollBox('Competency profile', h('table', { class: 'data competency-profile' },
        h('thead', {}, h('tr', {}, ['Competency', 'Domain', 'Proficiency', 'Level', 'Evidence'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows.map((row) => {
          const p = row.proficiency || {};
          const has = p.score !== null && p.score !== undefined;
          return h('tr', {},
            h('th', { scope: 'row' }, competencyName(row.competency)),
            h('td', {}, String(row.competency.domain)),
            h('td', {}, has ? percent(100 * p.score) : 'No evidence yet'),
            h('td', {}, p.level ? humanize(p.level) : (has ? '' : '—')),
            h('td', {}, `${p.evidence_count} piece${p.evidence_count === 1 ? '' : 's'}`));
        })))));
    const recorded = view.recorded_evidence || [];
    evidenceBox.replaceChildren(h('h2', {}, 'Recorded evaluations and scores'),
      recorded.length
        ? scrollBox('Recorded evidence', h('table', { class: 'data' },
          h('thead', {}, h('tr', {}, ['Observed', 'Competency', 'Kind', 'Score', 'Assessor', 'Note'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, recorded.map((e) => h('tr', {},
            h('td', {}, e.observed_on || formatDate(e.recorded_at)),
            h('th', { scope: 'row' }, e.competency_id),
            h('td', {}, SOURCE_NAMES[e.source] || humanize(e.source)),
            h('td', {}, percent(100 * e.score)),
            h('td', {}, e.assessor || ''),
            h('td', {}, e.note || ''))))))
        : h('p', {}, 'None recorded yet.'));
  }

  const competency = h('select', {}, competencies.map((row) => h('option', { value: row.competency.id }, competencyName(row.competency))));
  const kind = h('select', {}, h('option', { value: 'clinical_evaluation' }, 'Clinical evaluation'), h('option', { value: 'simulation' }, 'Simulation score'));
  const score = h('input', { type: 'number', min: '0', max: '100', step: 'any', required: true, inputmode: 'decimal' });
  const date = h('input', { type: 'date', required: true, value: today(), max: today() });
  const assessor = h('input', { type: 'text', maxlength: '200', autocomplete: 'off' });
  const note = h('textarea', { rows: '2', maxlength: '2000' });
  const problem = h('div', {});
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, 'Record an evaluation or simulation score'), problem,
    field('Competency', competency), field('Kind', kind),
    field('Score (0 to 100)', score), field('Date observed', date, 'Not in the future.'),
    field('Assessor (optional)', assessor, 'Leave empty to record yourself as the assessor.'),
    field('Note (optional)', note),
    h('button', { type: 'submit' }, 'Record'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    if (score.value === '' || !date.value) {
      problem.append(alertBox('Enter the score and the date.'));
      return;
    }
    const body = {
      student_id: Number(studentId), competency_id: competency.value, kind: kind.value,
      score: Number(score.value), date: date.value,
    };
    if (assessor.value.trim()) {
      body.assessor = assessor.value.trim();
    }
    if (note.value.trim()) {
      body.note = note.value.trim();
    }
    try {
      const made = await api('POST', '/assessment/competency/evidence', body);
      renderProfile(await api('GET', `/assessment/competency/profile/${studentId}`));
      const p = made.proficiency || {};
      const text = `Recorded. ${made.competency_id} now rests on ${p.evidence_count} piece${p.evidence_count === 1 ? '' : 's'} of evidence${p.score !== null && p.score !== undefined ? `: ${percent(100 * p.score)}` : ''}.`;
      problem.replaceChildren(alertBox(text, 'info'));
      announce(text);
      score.value = '';
      note.value = '';
    } catch (error) {
      problem.append(alertBox(problemText(error)));
    }
  });
  renderProfile(profile);
  root.replaceChildren(
    h('h1', {}, name),
    h('p', {}, `Username ${student.username}.`, cohort ? [' ', h('a', { href: `#/cohorts/${cohort}` }, 'Back to the cohort dashboard')] : null),
    profileBox, form, evidenceBox);
}

function fixed(value, digits) {
  return value === null || value === undefined ? 'not enough data' : Number(value).toFixed(digits);
}

function share(value) {
  return value === null || value === undefined ? 'not enough data' : percent(100 * value);
}

/** The students the caller may record a result for: admins every student, instructors theirs. */
async function studentsOf(user) {
  if (user.role === 'admin') {
    return (await api('GET', '/auth/users?limit=1000')).filter((u) => u.role === 'student')
      .map((u) => ({ id: u.id, name: u.display_name || u.username, username: u.username }));
  }
  const cohorts = await api('GET', '/cohorts');
  const seen = new Map();
  for (const cohort of cohorts) {
    const detail = await api('GET', `/cohorts/${cohort.id}`);
    for (const m of detail.members || []) {
      if (m.role === 'student' && !seen.has(m.user_id)) {
        seen.set(m.user_id, { id: m.user_id, name: m.display_name || m.username, username: m.username });
      }
    }
  }
  return [...seen.values()];
}

/** NCLEX outcomes: record one, list them, and how well readiness predicted them. */
export async function outcomesPage(root, ctx) {
  root.replaceChildren(h('h1', {}, 'NCLEX outcomes'), h('p', { class: 'muted' }, 'Loading…'));
  let students;
  try {
    students = await studentsOf(ctx.user());
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'NCLEX outcomes'), alertBox(error.message));
    return;
  }
  students.sort((a, b) => a.name.localeCompare(b.name));
  const listBox = h('section', {});
  const accuracyBox = h('section', { class: 'card' });

  async function load() {
    const [outcomes, accuracy] = await Promise.all([api('GET', '/analytics/outcomes'), api('GET', '/analytics/readiness/accuracy')]);
    listBox.replaceChildren(h('h2', {}, 'Recorded results'),
      outcomes.length
        ? scrollBox('Recorded NCLEX results', h('table', { class: 'data' },
          h('thead', {}, h('tr', {}, ['Graduate', 'Result', 'Exam date', 'Readiness when recorded', 'Recorded'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, outcomes.map((o) => h('tr', {},
            h('th', { scope: 'row' }, o.display_name || o.username || `Student ${o.student_id}`),
            h('td', {}, o.result === 'pass' ? 'Pass' : 'Fail'),
            h('td', {}, o.date),
            h('td', {}, o.predicted_pass === null ? 'No prediction (no scored answers)' : `P(pass) ${probability(o.predicted_pass)} over ${o.readiness_n} answers`),
            h('td', {}, formatDate(o.updated_at)))))))
        : h('p', {}, 'No result recorded yet.'));
    const a = accuracy;
    accuracyBox.replaceChildren(
      h('h2', {}, 'How well readiness predicted the results'),
      a.caveat ? alertBox(a.caveat, 'info') : null,
      h('dl', { class: 'answer-pair accuracy' },
        h('dt', {}, 'Graduates scored (n)'), h('dd', {}, `${a.n} (${a.passes} passed, ${a.failures} failed)`),
        h('dt', {}, 'Left out'), h('dd', {}, `${a.without_prediction} without a prediction`),
        h('dt', {}, 'Brier score'), h('dd', {}, `${fixed(a.brier, 3)} (0 is perfect, 0.25 a coin toss)`),
        h('dt', {}, 'Sensitivity for failure'), h('dd', {}, a.sensitivity_for_failure === null || a.sensitivity_for_failure === undefined
          ? 'No failure recorded yet, so no figure'
          : `${share(a.sensitivity_for_failure)} of those who failed were predicted to fail (P(pass) below ${percent(100 * a.fail_threshold)})`),
        h('dt', {}, 'Specificity for failure'), h('dd', {}, a.specificity_for_failure === null || a.specificity_for_failure === undefined
          ? 'No pass recorded yet, so no figure'
          : `${share(a.specificity_for_failure)} of those who passed were predicted to pass`)),
      scrollBox('Reliability by predicted band', h('table', { class: 'data' },
        h('caption', {}, 'Reliability: predicted against observed pass rate, by band'),
        h('thead', {}, h('tr', {}, ['Predicted P(pass)', 'n', 'Mean predicted', 'Observed pass rate'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, (a.reliability || []).map((band) => h('tr', {},
          h('th', { scope: 'row' }, `${percent(100 * band.predicted_low)} to ${percent(100 * band.predicted_high)}`),
          h('td', {}, String(band.n)),
          h('td', {}, band.mean_predicted === null ? '—' : probability(band.mean_predicted)),
          h('td', {}, band.observed_pass_rate === null ? '—' : percent(100 * band.observed_pass_rate))))))));
  }

  const student = h('select', {}, students.map((s) => h('option', { value: String(s.id) }, `${s.name} (${s.username})`)));
  const date = h('input', { type: 'date', required: true, max: today() });
  const pass = h('input', { type: 'radio', name: 'nclex-result', id: 'nclex-pass', value: 'pass', checked: true });
  const fail = h('input', { type: 'radio', name: 'nclex-result', id: 'nclex-fail', value: 'fail' });
  const problem = h('div', {});
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, 'Record a result'), problem,
    students.length
      ? [field('Graduate', student),
        h('fieldset', {}, h('legend', {}, 'Result'),
          h('div', { class: 'option' }, pass, h('label', { for: 'nclex-pass' }, 'Pass')),
          h('div', { class: 'option' }, fail, h('label', { for: 'nclex-fail' }, 'Fail'))),
        field('Exam date', date, 'Not in the future. Recording again for the same graduate replaces the result.'),
        h('button', { type: 'submit' }, 'Record result')]
      : h('p', {}, 'No student to record a result for.'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    if (!date.value) {
      problem.append(alertBox('Enter the exam date.'));
      date.focus();
      return;
    }
    try {
      const made = await api('POST', '/analytics/outcomes', {
        student_id: Number(student.value), result: fail.checked ? 'fail' : 'pass', date: date.value,
      });
      const who = students.find((s) => String(s.id) === student.value);
      const text = `${made.created ? 'Recorded' : 'Replaced'}: ${who ? who.name : 'the graduate'} ${made.outcome.result === 'pass' ? 'passed' : 'failed'} on ${made.outcome.date}.`;
      problem.replaceChildren(alertBox(text, 'info'));
      announce(text);
      await load();
    } catch (error) {
      problem.append(alertBox(problemText(error)));
    }
  });
  try {
    await load();
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'NCLEX outcomes'), alertBox(error.message));
    return;
  }
  root.replaceChildren(h('h1', {}, 'NCLEX outcomes'), form, listBox, accuracyBox);
}
