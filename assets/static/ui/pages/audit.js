// The admin's audit log (GET /api/v1/admin/audit): newest first, filtered by action, paged
// backwards with the server's next_before_id.
'use strict';

import { h, field, alertBox, formatDate, scrollBox, humanize } from '../dom.js';
import { api } from '../api.js';

const ACTIONS = ['login', 'login_failed', 'account_locked', 'refresh_token_reuse', 'user_created',
  'user_updated', 'user_disabled', 'user_enabled', 'role_changed', 'password_reset', 'password_changed',
  'cohort_created', 'cohort_member_added', 'cohort_member_removed', 'enrolment_code_rotated',
  'cohort_joined', 'export', 'backup_created', 'backup_failed', 'restore',
  'competency_evidence_recorded', 'competency_assessed'];

function detailText(details) {
  if (!details || typeof details !== 'object') {
    return '';
  }
  return Object.entries(details).map(([key, value]) => `${humanize(key)}: ${typeof value === 'object' ? JSON.stringify(value) : value}`).join('; ');
}

export async function auditPage(root, ctx, params) {
  const action = h('select', {}, h('option', { value: '' }, 'Every action'), ACTIONS.map((a) => h('option', { value: a }, humanize(a))));
  const limit = h('select', {}, ['25', '50', '100', '200'].map((n) => h('option', { value: n }, n)));
  action.value = params.get('action') || '';
  limit.value = params.get('limit') || '50';
  const before = params.get('before_id');
  const filters = h('form', { class: 'card filters', novalidate: true },
    h('h2', {}, 'Filter'),
    field('Action', action), field('Entries per page', limit),
    h('button', { type: 'submit' }, 'Show'));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (action.value) {
      query.set('action', action.value);
    }
    query.set('limit', limit.value);
    ctx.go(`#/audit?${query}`);
  });
  root.replaceChildren(h('h1', {}, 'Audit log'), filters, h('p', { class: 'muted' }, 'Loading…'));
  const query = new URLSearchParams({ limit: limit.value });
  if (action.value) {
    query.set('action', action.value);
  }
  if (before) {
    query.set('before_id', before);
  }
  let page;
  try {
    page = await api('GET', `/admin/audit?${query}`);
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Audit log'), filters, alertBox(error.message));
    return;
  }
  const link = (beforeId) => {
    const next = new URLSearchParams({ limit: limit.value });
    if (action.value) {
      next.set('action', action.value);
    }
    if (beforeId) {
      next.set('before_id', String(beforeId));
    }
    return `#/audit?${next}`;
  };
  const entries = page.entries || [];
  root.replaceChildren(
    h('h1', {}, 'Audit log'),
    filters,
    h('p', {}, entries.length
      ? `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}${before ? ` older than entry ${before}` : ', newest first'}${action.value ? `, action ${humanize(action.value)}` : ''}.`
      : 'No entry matches.'),
    entries.length ? scrollBox('Audit entries', h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, ['Entry', 'When', 'Who', 'Action', 'Target', 'Address', 'Details'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, entries.map((e) => h('tr', {},
        h('td', {}, String(e.id)),
        h('td', {}, formatDate(e.at)),
        h('td', {}, e.actor),
        h('th', { scope: 'row' }, humanize(e.action)),
        h('td', {}, e.target || ''),
        h('td', {}, e.ip || ''),
        h('td', {}, detailText(e.details))))))) : null,
    h('nav', { class: 'pager', 'aria-label': 'Audit log pages' },
      before ? h('a', { href: link(null) }, 'Newest entries') : null,
      page.next_before_id ? h('a', { href: link(page.next_before_id) }, 'Older entries') : null));
}
