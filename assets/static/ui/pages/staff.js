// Instructors' and admins' home: where to go, by role.
'use strict';

import { h } from '../dom.js';

export function staffHome(root, ctx) {
  const user = ctx.user();
  const cards = [
    ['Cohorts', 'Each cohort\'s dashboard: readiness distribution, accuracy by client need, the at-risk list with reasons, CSV export.', '#/cohorts', 'Open cohorts'],
    ['Quizzes', 'Set a quiz from the item bank or a test-plan blueprint, assign it to cohorts, and read its item analysis.', '#/quizzes', 'Open quizzes'],
    ['NCLEX outcomes', 'Record graduates\' NCLEX results and see how well readiness predicted them.', '#/outcomes', 'Open outcomes'],
  ];
  if (user.role === 'admin') {
    cards.push(['Users', 'Create accounts, reset passwords, disable and enable users.', '#/users', 'Open users'],
      ['Cohort membership', 'Create cohorts, add and remove members, show and rotate enrolment codes.', '#/cohort-admin', 'Open membership'],
      ['Audit log', 'Sign-ins, account, role and cohort changes, resets, exports and backups.', '#/audit', 'Open audit log'],
      ['System', 'Health checks, TLS certificate, disk, version and backups, with a "back up now" button.', '#/system', 'Open system']);
  }
  root.replaceChildren(
    h('h1', {}, `Welcome, ${user.display_name || user.username}`),
    h('div', { class: 'cards' }, cards.map(([title, text, href, label]) => h('section', { class: 'card' },
      h('h2', {}, title), h('p', {}, text), h('a', { class: 'button', href }, label)))),
    h('p', { class: 'muted' }, 'Everything here uses the JSON API, documented at ', h('a', { href: '/docs' }, '/docs'), '.'));
}
