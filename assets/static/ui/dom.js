// Small DOM helpers. Text always goes in as text nodes, never as HTML, so nothing a server or a
// user wrote can become markup or script.
'use strict';

/** h('button', {class: 'x', onclick: fn}, 'Label', child) → an element. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

/** The same for SVG elements (charts). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) {
    el.removeChild(el.firstChild);
  }
  return el;
}

let uid = 0;
/** A fresh id for label/input pairs. */
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** Says `message` to screen readers through the page's live region. */
export function announce(message) {
  const live = document.getElementById('live');
  if (live) {
    live.textContent = '';
    window.setTimeout(() => { live.textContent = message; }, 30);
  }
}

/** A labelled form field: label above, control, optional hint. */
export function field(label, control, hint) {
  const id = control.id || nextId('f');
  control.id = id;
  const parts = [h('label', { for: id }, label), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute('aria-describedby', hintId);
    parts.push(h('p', { class: 'hint', id: hintId }, hint));
  }
  return h('div', { class: 'field' }, parts);
}

/** A page-level error or notice box; role=alert so it is read out at once. */
export function alertBox(message, kind) {
  return h('div', { class: `notice ${kind || 'error'}`, role: 'alert' }, message);
}

export function formatDate(iso) {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function percent(value) {
  return `${Math.round(value * 10) / 10}%`;
}

/** "physiological_adaptation" → "Physiological adaptation". */
export function humanize(code) {
  const text = String(code || '').replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A table that may scroll sideways on a phone: a labelled region reachable by keyboard. */
export function scrollBox(label, table) {
  return h('div', { class: 'table-scroll', role: 'region', 'aria-label': label, tabindex: '0' }, table);
}

/** A probability as a percentage that never rounds to a certainty it is not. */
export function probability(p) {
  if (p > 0.999) {
    return 'over 99.9%';
  }
  if (p < 0.001) {
    return 'under 0.1%';
  }
  return percent(100 * p);
}
