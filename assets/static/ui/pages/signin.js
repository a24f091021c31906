// Sign-in and the password change (forced at first sign-in, or chosen from the account menu).
'use strict';

import { h, field, alertBox } from '../dom.js';
import { api, signIn, takePlace, session } from '../api.js';

export function signInPage(root, ctx) {
  const username = h('input', { type: 'text', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const problem = h('div', { class: 'form-problem' });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', {}, 'Sign in'),
    problem,
    field('Username', username),
    field('Password', password),
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    if (!username.value.trim() || !password.value) {
      problem.append(alertBox('Enter your username and password.'));
      return;
    }
    submit.disabled = true;
    try {
      const { mustChange } = await signIn(username.value.trim(), password.value);
      ctx.refreshChrome();
      if (mustChange) {
        ctx.go('#/password?required=1');
      } else {
        ctx.go(takePlace() || '#/');
      }
    } catch (error) {
      const text = error.status === 401
        ? 'The username or password is not correct.'
        : error.message;
      problem.append(alertBox(text));
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  root.replaceChildren(form);
  username.focus();
}

export function passwordPage(root, ctx, params) {
  const required = params.get('required') === '1';
  const current = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: '12' });
  const again = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const problem = h('div', { class: 'form-problem' });
  const submit = h('button', { type: 'submit' }, 'Change password');
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', {}, required ? 'Choose a new password' : 'Change your password'),
    required ? h('p', {}, 'Your password was set for you. Choose your own before you go on.') : null,
    problem,
    field('Current password', current),
    field('New password', next, 'At least 12 characters; not your username.'),
    field('New password again', again),
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    if (next.value !== again.value) {
      problem.append(alertBox('The two new passwords are not the same.'));
      again.focus();
      return;
    }
    submit.disabled = true;
    try {
      await api('POST', '/auth/password', { current_password: current.value, new_password: next.value });
      // Tokens issued before a password change stop working: sign in again with the new one.
      const user = session() && session().user;
      await signIn(user.username, next.value);
      ctx.refreshChrome();
      ctx.go(takePlace() || '#/', 'Your password was changed.');
    } catch (error) {
      const detail = error.fields.map((f) => `${f.field}: ${f.message}`).join('; ');
      problem.append(alertBox(detail || error.message));
    } finally {
      submit.disabled = false;
    }
  });
  root.replaceChildren(form);
  current.focus();
}
