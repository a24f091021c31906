// The admin's pages: users and roles, system status, backups.
'use strict';

import { h, field, alertBox, formatDate, scrollBox, announce } from '../dom.js';
import { api } from '../api.js';

export async function usersPage(root) {
  root.replaceChildren(h('h1', {}, 'Users'), h('p', { class: 'muted' }, 'Loading…'));
  const problem = h('div', {});
  const notice = h('div', { 'aria-live': 'polite' });
  const table = h('div', {});

  // A role select and its button per user: PATCH /auth/users/{id} with {role}; the server keeps
  // the last active admin and records role_changed in the audit log.
  function roleChanger(user) {
    const select = h('select', { 'aria-label': `Role of ${user.username}` },
      ['student', 'instructor', 'admin'].map((r) => h('option', { value: r, selected: r === user.role }, r)));
    const save = h('button', { type: 'button', class: 'secondary', 'aria-label': `Save role of ${user.username}` }, 'Save role');
    save.addEventListener('click', async () => {
      problem.replaceChildren();
      if (select.value === user.role) {
        notice.replaceChildren(alertBox(`${user.username} is already ${user.role}.`, 'info'));
        return;
      }
      try {
        const changed = await api('PATCH', `/auth/users/${user.id}`, { role: select.value });
        notice.replaceChildren(alertBox(`${changed.username} is now ${changed.role}. Cohort memberships keep their old role until an admin changes them.`, 'info'));
        await load();
      } catch (error) {
        problem.replaceChildren(alertBox(error.message));
      }
    });
    return h('span', { class: 'role-change' }, select, save);
  }

  async function load() {
    const users = await api('GET', '/auth/users?limit=1000');
    table.replaceChildren(scrollBox('Users', h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, ['Username', 'Name', 'Role', 'Status', 'Last sign-in', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, users.map((user) => h('tr', {},
        h('th', { scope: 'row' }, user.username),
        h('td', {}, user.display_name || ''),
        h('td', {}, user.role),
        h('td', {}, user.is_active ? (user.must_change_password ? 'Active, must choose a password' : 'Active') : 'Disabled'),
        h('td', {}, user.last_login_at ? formatDate(user.last_login_at) : 'Never'),
        h('td', { class: 'row-actions' },
          roleChanger(user),
          h('button', {
            type: 'button', class: 'secondary', 'aria-label': `Reset password for ${user.username}`,
            onclick: async () => {
              problem.replaceChildren();
              try {
                const reset = await api('POST', `/auth/users/${user.id}/reset-password`);
                notice.replaceChildren(alertBox(`New password for ${user.username}: ${reset.generated_password}. Their sessions have ended; give them the password privately.`, 'info'));
              } catch (error) {
                problem.replaceChildren(alertBox(error.message));
              }
            },
          }, 'Reset password'),
          h('button', {
            type: 'button', class: 'secondary', 'aria-label': `${user.is_active ? 'Disable' : 'Enable'} ${user.username}`,
            onclick: async () => {
              problem.replaceChildren();
              try {
                await api('PATCH', `/auth/users/${user.id}`, { is_active: !user.is_active });
                announce(`${user.username} ${user.is_active ? 'disabled' : 'enabled'}.`);
                await load();
              } catch (error) {
                problem.replaceChildren(alertBox(error.message));
              }
            },
          }, user.is_active ? 'Disable' : 'Enable'))))))));
  }

  const username = h('input', { type: 'text', autocomplete: 'off', required: true, autocapitalize: 'none' });
  const displayName = h('input', { type: 'text', autocomplete: 'off' });
  const role = h('select', {}, ['student', 'instructor', 'admin'].map((r) => h('option', { value: r }, r)));
  const password = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const createProblem = h('div', {});
  const create = h('form', { class: 'card', novalidate: true },
    h('h2', {}, 'Create a user'), createProblem,
    field('Username', username), field('Display name', displayName), field('Role', role),
    field('Initial password', password, 'At least 12 characters. Give it to the person privately; they choose their own at first sign-in.'),
    h('button', { type: 'submit' }, 'Create user'));
  create.addEventListener('submit', async (event) => {
    event.preventDefault();
    createProblem.replaceChildren();
    try {
      const created = await api('POST', '/auth/users', {
        username: username.value.trim(), password: password.value, role: role.value,
        display_name: displayName.value.trim() || undefined,
      });
      notice.replaceChildren(alertBox(`Created ${created.user.username} (${created.user.role}).`, 'info'));
      create.reset();
      await load();
    } catch (error) {
      createProblem.replaceChildren(alertBox(error.fields.length ? error.fields.map((f) => `${f.field}: ${f.message}`).join('; ') : error.message));
    }
  });
  try {
    await load();
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Users'), alertBox(error.message));
    return;
  }
  root.replaceChildren(h('h1', {}, 'Users'), problem, notice, table, create);
}

export async function systemPage(root) {
  root.replaceChildren(h('h1', {}, 'System'), h('p', { class: 'muted' }, 'Loading…'));
  const health = await fetch('/health', { headers: { Accept: 'application/json' } }).then((r) => r.json()).catch(() => null);
  const info = await api('GET', '').catch(() => null);
  const backupsBox = h('section', { class: 'card' });
  const problem = h('div', {});

  async function loadBackups() {
    const listing = await api('GET', '/admin/backups');
    const status = listing.status || {};
    const run = h('button', { type: 'button' }, 'Back up now');
    run.addEventListener('click', async () => {
      run.disabled = true;
      run.textContent = 'Backing up…';
      problem.replaceChildren();
      try {
        const made = await api('POST', '/admin/backups');
        announce(`Backup written: ${made.file}.`);
        await loadBackups();
      } catch (error) {
        problem.replaceChildren(alertBox(error.message));
        run.disabled = false;
        run.textContent = 'Back up now';
      }
    });
    backupsBox.replaceChildren(
      h('h2', {}, 'Backups'),
      h('dl', { class: 'answer-pair' },
        h('dt', {}, 'Folder'), h('dd', {}, listing.dir || ''),
        h('dt', {}, 'Schedule'), h('dd', {}, status.schedule || 'None (manual only)'),
        h('dt', {}, 'Last success'), h('dd', { class: 'last-backup' }, status.last_success_at ? `${formatDate(status.last_success_at)} (${status.last_success_file})` : 'None yet'),
        h('dt', {}, 'Last failure'), h('dd', {}, status.last_failure_at ? `${formatDate(status.last_failure_at)}: ${status.last_error}` : 'None')),
      run,
      (listing.backups || []).length
        ? scrollBox('Backup files', h('table', { class: 'data' },
          h('thead', {}, h('tr', {}, ['File', 'Size', 'Made'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, listing.backups.map((b) => h('tr', {},
            h('th', { scope: 'row' }, b.file || b.name || ''),
            h('td', {}, b.size_bytes !== undefined ? `${Math.round(b.size_bytes / 1024)} KB` : ''),
            h('td', {}, b.created_at ? formatDate(b.created_at) : ''))))))
        : h('p', {}, 'No backup files yet.'));
  }
  try {
    await loadBackups();
  } catch (error) {
    backupsBox.replaceChildren(h('h2', {}, 'Backups'), alertBox(error.message));
  }
  const checks = health && health.checks ? Object.entries(health.checks) : [];
  root.replaceChildren(
    h('h1', {}, 'System'),
    problem,
    h('section', { class: 'card' },
      h('h2', {}, 'Health'),
      h('p', { class: `health health-${health ? health.status : 'unknown'}` }, health ? `Status: ${health.status} · version ${health.version}` : 'The health check did not answer.'),
      checks.length ? scrollBox('Health checks', h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['Check', 'Status', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, checks.map(([name, check]) => h('tr', {},
          h('th', { scope: 'row' }, name), h('td', {}, check.status), h('td', {}, check.detail || '')))))) : null,
      info ? h('p', { class: 'muted' }, `${info.message} ${info.version}`) : null),
    tlsAndDisk(health),
    backupsBox);
}

// TLS and disk from the /health checks: the tls_certificate check exists only when TLS is on.
function tlsAndDisk(health) {
  const checks = (health && health.checks) || {};
  const tls = checks.tls_certificate;
  const disk = checks.disk;
  return h('section', { class: 'card' },
    h('h2', {}, 'TLS, disk and version'),
    h('dl', { class: 'answer-pair' },
      h('dt', {}, 'TLS certificate'),
      h('dd', { class: 'tls-status' }, tls
        ? `${tls.status === 'healthy' ? '' : `${tls.status}: `}${tls.detail}`
        : 'TLS off: this server answers plain HTTP only (set [tls] mode in the config to turn it on).'),
      h('dt', {}, 'Disk (data directory)'),
      h('dd', {}, disk ? `${disk.detail} (${disk.status})` : 'Not reported'),
      h('dt', {}, 'Version'),
      h('dd', {}, health && health.version ? health.version : 'Not reported')));
}
