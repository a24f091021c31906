// Cohorts and their membership: admins create cohorts and add members; admins and the cohort's
// instructors see and rotate the enrolment code and remove students (the server's rules in
// /api/v1/cohorts); students join a cohort with its code from their home page.
'use strict';

import { h, field, alertBox, formatDate, scrollBox, announce } from '../dom.js';
import { api } from '../api.js';

function problemText(error) {
  return error.fields && error.fields.length ? error.fields.map((f) => `${f.field}: ${f.message}`).join('; ') : error.message;
}

/** Admins: every cohort with its counts, a link to its members, and the form to create one. */
export async function cohortAdminPage(root, ctx) {
  root.replaceChildren(h('h1', {}, 'Cohort membership'), h('p', { class: 'muted' }, 'Loading…'));
  let cohorts;
  try {
    cohorts = await api('GET', '/cohorts');
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Cohort membership'), alertBox(error.message));
    return;
  }
  const name = h('input', { type: 'text', required: true, maxlength: '120', autocomplete: 'off' });
  const description = h('textarea', { rows: '2', maxlength: '2000' });
  const problem = h('div', {});
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, 'Create a cohort'), problem,
    field('Cohort name', name, 'Unique, for example "BSN class of 2027".'),
    field('Description (optional)', description),
    h('button', { type: 'submit' }, 'Create cohort'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    if (!name.value.trim()) {
      problem.append(alertBox('Enter a name for the cohort.'));
      name.focus();
      return;
    }
    try {
      const cohort = await api('POST', '/cohorts', { name: name.value.trim(), description: description.value.trim() });
      ctx.go(`#/cohorts/${cohort.id}/members`, `Cohort "${cohort.name}" created. Add its members or give students its enrolment code.`);
    } catch (error) {
      problem.append(alertBox(problemText(error)));
    }
  });
  root.replaceChildren(h('h1', {}, 'Cohort membership'),
    cohorts.length
      ? scrollBox('Cohorts', h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['Cohort', 'Students', 'Instructors', 'Created', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, cohorts.map((c) => h('tr', {},
          h('th', { scope: 'row' }, c.name),
          h('td', {}, String(c.students)),
          h('td', {}, String(c.instructors)),
          h('td', {}, formatDate(c.created_at)),
          h('td', {}, h('a', { href: `#/cohorts/${c.id}/members`, 'aria-label': `Members and code of ${c.name}` }, 'Members and code')))))))
      : h('p', {}, 'No cohort yet.'),
    form);
}

/** One cohort's members and enrolment code (admins and the cohort's instructors). */
export async function cohortMembersPage(root, ctx, params, cohortId) {
  root.replaceChildren(h('h1', {}, 'Cohort members'), h('p', { class: 'muted' }, 'Loading…'));
  const isAdmin = ctx.user().role === 'admin';
  const problem = h('div', {});
  const notice = h('div', { 'aria-live': 'polite' });
  const membersBox = h('section', {});
  const codeBox = h('section', { class: 'card' });
  const addBox = h('div', {});
  let detail;

  async function loadMembers() {
    detail = await api('GET', `/cohorts/${cohortId}`);
    const members = detail.members || [];
    membersBox.replaceChildren(h('h2', {}, 'Members'),
      members.length
        ? scrollBox('Members', h('table', { class: 'data' },
          h('thead', {}, h('tr', {}, ['Name', 'Username', 'Cohort role', 'Added', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, members.map((m) => h('tr', {},
            h('th', { scope: 'row' }, m.display_name || m.username),
            h('td', {}, m.username),
            h('td', {}, m.role),
            h('td', {}, formatDate(m.added_at)),
            h('td', {}, isAdmin || m.role === 'student'
              ? h('button', {
                type: 'button', class: 'secondary', 'aria-label': `Remove ${m.display_name || m.username} from the cohort`,
                onclick: async () => {
                  problem.replaceChildren();
                  try {
                    await api('DELETE', `/cohorts/${cohortId}/members/${m.user_id}`);
                    notice.replaceChildren(alertBox(`${m.display_name || m.username} was removed from ${detail.name}.`, 'info'));
                    await loadMembers();
                    await loadCandidates();
                  } catch (error) {
                    problem.replaceChildren(alertBox(error.message));
                  }
                },
              }, 'Remove')
              : ''))))))
        : h('p', {}, 'No members yet.'));
  }

  async function loadCode() {
    const code = await api('GET', `/cohorts/${cohortId}/enrolment-code`);
    const rotate = h('button', { type: 'button', class: 'secondary' }, 'Rotate the code');
    rotate.addEventListener('click', async () => {
      problem.replaceChildren();
      rotate.disabled = true;
      try {
        const fresh = await api('POST', `/cohorts/${cohortId}/enrolment-code`);
        await loadCode();
        announce(`New enrolment code: ${fresh.code}. The old code no longer works.`);
      } catch (error) {
        problem.replaceChildren(alertBox(error.message));
        rotate.disabled = false;
      }
    });
    codeBox.replaceChildren(h('h2', {}, 'Enrolment code'),
      h('p', {}, 'Students join this cohort by entering the code on their home page. Rotating it makes the old code stop working; members stay members.'),
      h('p', { class: 'enrolment-code' }, code.code
        ? h('code', { 'aria-label': 'Enrolment code' }, code.code)
        : 'This cohort has no code yet: rotate one in.'),
      rotate);
  }

  async function loadCandidates() {
    if (!isAdmin) {
      return;
    }
    const users = await api('GET', '/auth/users?limit=1000');
    const memberIds = new Set((detail.members || []).map((m) => m.user_id));
    const candidates = users.filter((u) => (u.role === 'student' || u.role === 'instructor') && u.is_active && !memberIds.has(u.id));
    const select = h('select', {}, candidates.map((u) => h('option', { value: String(u.id) }, `${u.display_name || u.username} (${u.username}, ${u.role})`)));
    const addProblem = h('div', {});
    const form = h('form', { class: 'card', novalidate: true },
      h('h2', {}, 'Add a member'), addProblem,
      candidates.length
        ? [field('Person to add', select, 'Students join as students and instructors as instructors: the cohort role is their account role.'),
          h('button', { type: 'submit' }, 'Add to cohort')]
        : h('p', {}, 'Every active student and instructor is already a member.'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      addProblem.replaceChildren();
      const user = candidates.find((u) => String(u.id) === select.value);
      if (!user) {
        return;
      }
      try {
        await api('PUT', `/cohorts/${cohortId}/members/${user.id}`, { role: user.role });
        notice.replaceChildren(alertBox(`${user.display_name || user.username} was added to ${detail.name} as ${user.role}.`, 'info'));
        await loadMembers();
        await loadCandidates();
      } catch (error) {
        addProblem.append(alertBox(problemText(error)));
      }
    });
    addBox.replaceChildren(form);
  }

  try {
    await loadMembers();
    await loadCode();
    await loadCandidates();
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Cohort members'), alertBox(error.message));
    return;
  }
  root.replaceChildren(
    h('h1', {}, `Members: ${detail.name}`),
    detail.description ? h('p', {}, detail.description) : null,
    h('p', {}, h('a', { href: `#/cohorts/${cohortId}` }, `Dashboard of ${detail.name}`)),
    problem, notice, codeBox, membersBox, addBox);
}

/** A student's card on the home page: join a cohort with its enrolment code. */
export function joinCohortCard() {
  const code = h('input', { type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: '64', required: true });
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, 'Join a cohort'),
    result,
    field('Enrolment code', code, 'The code your instructor gave you, for example ABCD-EFGH-JK23.'),
    h('button', { type: 'submit' }, 'Join cohort'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    result.replaceChildren();
    if (!code.value.trim()) {
      result.append(alertBox('Enter the enrolment code.'));
      code.focus();
      return;
    }
    try {
      const cohort = await api('POST', '/cohorts/join', { code: code.value.trim() });
      result.append(alertBox(`You are in the cohort ${cohort.name}. Its quizzes are under Quizzes.`, 'info'));
      form.reset();
    } catch (error) {
      result.append(alertBox(error.status === 404 ? 'No cohort has this code. Check it with your instructor.' : problemText(error)));
      code.focus();
    }
  });
  return form;
}
