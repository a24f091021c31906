// Instructors' and admins' home. The staff pages of the web UI are not built yet: this page says
// so and points at what exists (the API and its documentation), rather than listing features.
'use strict';

import { h } from '../dom.js';

export function staffHome(root, ctx) {
  const user = ctx.user();
  root.replaceChildren(
    h('h1', {}, `Welcome, ${user.display_name || user.username}`),
    h('section', { class: 'card' },
      h('h2', {}, 'Staff pages'),
      h('p', {}, 'The instructor and administrator pages of the web interface are not available in this version. Everything they will show can already be done through the JSON API.'),
      h('p', {}, h('a', { href: '/docs' }, 'API documentation'))));
}
