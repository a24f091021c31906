// BSN Knowledge web UI: the router and the page chrome. Loaded as a module from /static/app.js
// (no inline script, so it runs under the strict Content-Security-Policy). It speaks only the
// public JSON API under /api/v1.
import { h, clear, announce, alertBox } from './ui/dom.js';
import { session, signOut, rememberPlace, keepFresh } from './ui/api.js';
import { signInPage, passwordPage } from './ui/pages/signin.js';
import { studentHome, practicePage, quizzesPage } from './ui/pages/student.js';
import { attemptPage } from './ui/pages/attempt.js';
import { reviewPage } from './ui/pages/review.js';
import { staffHome } from './ui/pages/staff.js';
import { examStartPage, examPage } from './ui/pages/exam.js';
import { readinessPage } from './ui/pages/progress.js';
import { usersPage, systemPage } from './ui/pages/admin.js';
import { cohortsPage, cohortDashboard, staffQuizzesPage, quizAnalysisPage } from './ui/pages/instructor.js';
import { bankPage, bankItemPage, bankEditPage, bankNewPage } from './ui/pages/bank.js';
import { cohortAdminPage, cohortMembersPage } from './ui/pages/cohortadmin.js';
import { auditPage } from './ui/pages/audit.js';
import { studentRecordPage, outcomesPage } from './ui/pages/records.js';

const app = document.getElementById('app');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
let leaveHook = null;

const ctx = {
  user: () => (session() || {}).user,
  go(hash, message) {
    if (message) {
      window.sessionStorage.setItem('bsn.flash', message);
    }
    if (window.location.hash === hash) {
      route();
    } else {
      window.location.hash = hash;
    }
  },
  beforeLeave(hook) {
    leaveHook = hook;
  },
  refreshChrome,
};

// Each route: a pattern, who may open it, and the page.
const ROUTES = [
  { path: /^\/signin$/, open: true, page: (params) => signInPage(app, ctx, params) },
  { path: /^\/password$/, page: (params) => passwordPage(app, ctx, params) },
  { path: /^\/$/, page: () => (ctx.user().role === 'student' ? studentHome(app, ctx) : staffHome(app, ctx)) },
  { path: /^\/practice$/, roles: ['student'], page: (params) => practicePage(app, ctx, params) },
  { path: /^\/exam$/, roles: ['student'], page: () => examStartPage(app, ctx) },
  { path: /^\/exam\/(\d+)$/, roles: ['student'], page: (params, m) => examPage(app, ctx, params, m[1]) },
  { path: /^\/readiness$/, roles: ['student'], page: () => readinessPage(app, ctx) },
  { path: /^\/quizzes$/, page: () => (ctx.user().role === 'student' ? quizzesPage(app, ctx) : staffQuizzesPage(app, ctx)) },
  { path: /^\/quizzes\/(\d+)\/analysis$/, roles: ['instructor', 'admin'], page: (params, m) => quizAnalysisPage(app, ctx, params, m[1]) },
  { path: /^\/cohorts$/, roles: ['instructor', 'admin'], page: () => cohortsPage(app, ctx) },
  { path: /^\/cohorts\/(\d+)$/, roles: ['instructor', 'admin'], page: (params, m) => cohortDashboard(app, ctx, params, m[1]) },
  { path: /^\/bank$/, roles: ['instructor', 'admin'], page: (params) => bankPage(app, ctx, params) },
  { path: /^\/bank\/new$/, roles: ['instructor', 'admin'], page: (params) => bankNewPage(app, ctx, params) },
  { path: /^\/bank\/item\/([^/]+)$/, roles: ['instructor', 'admin'], page: (params, m) => bankItemPage(app, ctx, params, m[1]) },
  { path: /^\/bank\/item\/([^/]+)\/edit$/, roles: ['instructor', 'admin'], page: (params, m) => bankEditPage(app, ctx, params, m[1]) },
  { path: /^\/users$/, roles: ['admin'], page: () => usersPage(app, ctx) },
  { path: /^\/system$/, roles: ['admin'], page: () => systemPage(app, ctx) },
  { path: /^\/cohort-admin$/, roles: ['admin'], page: () => cohortAdminPage(app, ctx) },
  { path: /^\/cohorts\/(\d+)\/members$/, roles: ['instructor', 'admin'], page: (params, m) => cohortMembersPage(app, ctx, params, m[1]) },
  { path: /^\/audit$/, roles: ['admin'], page: (params) => auditPage(app, ctx, params) },
  { path: /^\/students\/(\d+)$/, roles: ['instructor', 'admin'], page: (params, m) => studentRecordPage(app, ctx, params, m[1]) },
  { path: /^\/outcomes$/, roles: ['instructor', 'admin'], page: () => outcomesPage(app, ctx) },
  { path: /^\/attempt\/(\d+)(?:\/(\d+))?$/, roles: ['student'], page: (params, m) => attemptPage(app, ctx, params, m[1], m[2] ? Number(m[2]) : null) },
  { path: /^\/review\/(\d+)$/, page: (params, m) => reviewPage(app, ctx, params, m[1]) },
];

const NAV = {
  student: [['#/', 'Home'], ['#/practice', 'Practice'], ['#/quizzes', 'Quizzes'], ['#/exam', 'Adaptive exam'], ['#/readiness', 'Readiness']],
  instructor: [['#/', 'Home'], ['#/cohorts', 'Cohorts'], ['#/quizzes', 'Quizzes'], ['#/bank', 'Item bank'], ['#/outcomes', 'NCLEX outcomes']],
  admin: [['#/', 'Home'], ['#/cohorts', 'Cohorts'], ['#/quizzes', 'Quizzes'], ['#/bank', 'Item bank'], ['#/users', 'Users'], ['#/cohort-admin', 'Membership'], ['#/outcomes', 'NCLEX outcomes'], ['#/audit', 'Audit log'], ['#/system', 'System']],
};

function refreshChrome() {
  const user = ctx.user();
  clear(nav);
  clear(who);
  if (!user) {
    return;
  }
  const current = window.location.hash || '#/';
  nav.append(h('ul', {}, (NAV[user.role] || []).map(([href, label]) => h('li', {},
    h('a', { href, 'aria-current': current === href ? 'page' : false }, label)))));
  who.append(
    h('span', { class: 'who-name' }, `${user.display_name || user.username} (${user.role})`),
    h('a', { href: '#/password', class: 'who-link' }, 'Change password'),
    h('button', {
      type: 'button',
      class: 'link',
      onclick: async () => {
        await signOut();
        refreshChrome();
        ctx.go('#/signin', 'You are signed out.');
      },
    }, 'Sign out'));
}

async function route() {
  if (leaveHook) {
    const hook = leaveHook;
    leaveHook = null;
    await hook();
  }
  const hash = window.location.hash || '#/';
  if (!hash.startsWith('#/')) {
    return;
  }
  const [path, query] = hash.slice(1).split('?');
  const params = new URLSearchParams(query || '');
  const user = ctx.user();
  const match = ROUTES.map((r) => [r, path.match(r.path)]).find(([, m]) => m);
  refreshChrome();
  if (!match) {
    app.replaceChildren(h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '#/' }, 'Go to the home page')));
    return;
  }
  const [entry, found] = match;
  if (!entry.open && !user) {
    rememberPlace(hash);
    window.location.hash = '#/signin';
    return;
  }
  if (user && user.must_change_password && !path.startsWith('/password') && !entry.open) {
    window.location.hash = '#/password?required=1';
    return;
  }
  if (entry.roles && !entry.roles.includes(user.role)) {
    app.replaceChildren(h('h1', {}, 'Not available'), alertBox('This page is for another role.'));
    return;
  }
  const flash = window.sessionStorage.getItem('bsn.flash');
  window.sessionStorage.removeItem('bsn.flash');
  try {
    await entry.page(params, found);
  } catch (error) {
    app.replaceChildren(h('h1', {}, 'Something went wrong'), alertBox(error.message || String(error)));
  }
  if (flash) {
    app.prepend(alertBox(flash, 'info'));
    announce(flash);
  }
  document.title = `${(app.querySelector('h1') || { textContent: '' }).textContent} · BSN Knowledge`;
}

window.addEventListener('hashchange', route);
keepFresh();
route();
