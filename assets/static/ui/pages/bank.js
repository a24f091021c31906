// The item bank for instructors and admins: browse and filter it, preview an item as a student
// sees it (with the key and rationales beside it), edit, retire or reinstate it, write a new
// one through the server's quality gate, export the filter for an LMS, and set a quiz from
// picked items. Everything goes through the public API (/api/v1/items, /api/v1/quizzes).
'use strict';

import { h, field, alertBox, announce, scrollBox, humanize, formatDate, nextId } from '../dom.js';
import { api } from '../api.js';
import { renderItem, describeAnswer, typeName } from '../player.js';
import { clientNeedName } from './student.js';
import { optionRationales } from './review.js';
import { CLIENT_NEEDS, ITEM_TYPES, NCJMM, DIFFICULTIES, select, pairs, problemList, itemEditor, blankItem } from './editor.js';

const PAGE_SIZE = 20;
const FORMATS = [['qti21', 'QTI 2.1 content package (zip)'], ['qti30', 'QTI 3.0 content package (zip)'], ['moodle', 'Moodle XML'], ['gift', 'GIFT (text)']];
// The list filters the page keeps in its address, in the API's parameter names.
const FILTERS = ['q', 'item_type', 'client_need', 'ncjmm_function', 'difficulty', 'status', 'origin'];
const PICKS_KEY = 'bsn.bank.picks';

export const itemHref = (id) => `#/bank/item/${encodeURIComponent(id)}`;

function picks() {
  try {
    const list = JSON.parse(window.sessionStorage.getItem(PICKS_KEY) || '[]');
    return Array.isArray(list) ? list.filter((entry) => entry && typeof entry.id === 'string') : [];
  } catch (_) {
    return [];
  }
}

function savePicks(list) {
  window.sessionStorage.setItem(PICKS_KEY, JSON.stringify(list));
}

function excerpt(text, length) {
  const clean = String(text || '').replace(/\s+/g, ' ').trim();
  return clean.length > length ? `${clean.slice(0, length - 1)}…` : clean;
}

// ---- the list ----

export async function bankPage(root, ctx, params) {
  const filter = {};
  for (const name of FILTERS) {
    const value = (params.get(name) || '').trim();
    if (value) {
      filter[name] = value;
    }
  }
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  root.replaceChildren(h('h1', {}, 'Item bank'), h('p', { class: 'muted' }, 'Loading…'));
  const query = new URLSearchParams({ ...filter, limit: String(PAGE_SIZE), offset: String(offset) });
  let page;
  let cohorts;
  try {
    [page, cohorts] = await Promise.all([api('GET', `/items?${query}`), api('GET', '/cohorts')]);
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Item bank'), filterForm(ctx, filter), alertBox(error.message));
    return;
  }
  const picked = picks();
  const pickedIds = new Set(picked.map((entry) => entry.id));
  const quizBox = h('section', { class: 'card', 'aria-labelledby': 'bank-quiz-h' });
  const drawQuiz = () => quizBox.replaceChildren(...quizFromPicks(ctx, cohorts, picks(), drawQuiz));
  const go = (nextOffset) => {
    const next = new URLSearchParams({ ...filter });
    if (nextOffset) {
      next.set('offset', String(nextOffset));
    }
    ctx.go(`#/bank${next.toString() ? `?${next}` : ''}`);
  };
  const first = page.total ? offset + 1 : 0;
  const last = offset + page.items.length;
  const table = h('table', { class: 'data bank-list' },
    h('caption', { class: 'visually-hidden' }, 'Bank items; pick items with the checkboxes to set a quiz from them'),
    h('thead', {}, h('tr', {}, ['Pick', 'Type', 'Question', 'Tags', 'Status', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, page.items.map((item) => {
      const box = h('input', {
        type: 'checkbox', checked: pickedIds.has(item.id), 'aria-label': `Pick: ${excerpt(item.question, 80)}`,
        onchange: (event) => {
          const list = picks().filter((entry) => entry.id !== item.id);
          if (event.target.checked) {
            list.push({ id: item.id, question: excerpt(item.question, 80), item_type: item.item_type });
          }
          savePicks(list);
          drawQuiz();
          announce(`${list.length} item${list.length === 1 ? '' : 's'} picked.`);
        },
      });
      return h('tr', { class: item.status === 'retired' ? 'retired' : null },
        h('td', {}, box),
        h('td', {}, typeName(item.item_type)),
        h('th', { scope: 'row' }, excerpt(item.question, 140)),
        h('td', {}, h('ul', { class: 'tags' },
          h('li', {}, item.topic), h('li', {}, clientNeedName(item.client_need)), h('li', {}, humanize(item.ncjmm_function)),
          h('li', {}, humanize(item.difficulty)), h('li', {}, humanize(item.origin)))),
        h('td', {}, humanize(item.status)),
        h('td', {}, h('div', { class: 'row-actions' },
          h('a', { href: itemHref(item.id), 'aria-label': `Preview: ${excerpt(item.question, 60)}` }, 'Preview'),
          h('a', { href: `${itemHref(item.id)}/edit`, 'aria-label': `Edit: ${excerpt(item.question, 60)}` }, 'Edit'))));
    })));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of the bank' },
    h('button', { type: 'button', class: 'secondary', disabled: offset === 0, onclick: () => go(Math.max(0, offset - PAGE_SIZE)) }, 'Previous page'),
    h('span', { class: 'pager-status' }, page.total ? `Items ${first}–${last} of ${page.total}` : 'No items'),
    h('button', { type: 'button', class: 'secondary', disabled: last >= page.total, onclick: () => go(offset + PAGE_SIZE) }, 'Next page'));
  drawQuiz();
  root.replaceChildren(
    h('h1', {}, 'Item bank'),
    h('p', {}, h('a', { class: 'button', href: '#/bank/new' }, 'Write a new item')),
    filterForm(ctx, filter),
    ...(page.items.length
      ? [h('p', { class: 'pager-status', id: 'bank-count' }, `${page.total} item${page.total === 1 ? '' : 's'} match.`), scrollBox('Bank items', table), pager]
      : [h('p', {}, 'No item matches this filter.')]),
    quizBox,
    exportBox(filter));
}

function filterForm(ctx, filter) {
  const q = h('input', { type: 'search', value: filter.q || '', maxlength: '200' });
  const type = select(pairs(ITEM_TYPES, typeName), filter.item_type, 'Any type');
  const need = select(pairs(CLIENT_NEEDS, clientNeedName), filter.client_need, 'Any client need');
  const ncjmm = select(pairs(NCJMM, humanize), filter.ncjmm_function, 'Any NCJMM function');
  const difficulty = select(pairs(DIFFICULTIES, humanize), filter.difficulty, 'Any difficulty');
  const status = select([['active', 'Active'], ['retired', 'Retired']], filter.status || 'active');
  const origin = select([['generated', 'Generated'], ['authored', 'Written or edited by staff']], filter.origin, 'Generated or written');
  const form = h('form', { class: 'card filter-form', role: 'search', 'aria-label': 'Filter the bank' },
    h('h2', { class: 'small' }, 'Filter'),
    h('div', { class: 'filter-grid' },
      field('Search stems and topics', q, 'For example "digoxin" or "heart failure".'),
      field('Item type', type), field('Client need', need), field('NCJMM function', ncjmm),
      field('Difficulty', difficulty), field('Status', status), field('Origin', origin)),
    h('div', { class: 'row-actions' },
      h('button', { type: 'submit' }, 'Apply filter'),
      h('a', { class: 'button secondary', href: '#/bank' }, 'Clear filter')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    const values = { q: q.value.trim(), item_type: type.value, client_need: need.value, ncjmm_function: ncjmm.value, difficulty: difficulty.value, status: status.value === 'active' ? '' : status.value, origin: origin.value };
    for (const [name, value] of Object.entries(values)) {
      if (value) {
        next.set(name, value);
      }
    }
    ctx.go(`#/bank${next.toString() ? `?${next}` : ''}`);
  });
  return form;
}

function quizFromPicks(ctx, cohorts, picked, redraw) {
  const heading = h('h2', { id: 'bank-quiz-h' }, `Quiz from picked items (${picked.length})`);
  if (!picked.length) {
    return [heading, h('p', {}, 'Pick items in the list with their checkboxes (picks stay while you page and filter), then set a quiz from them here.')];
  }
  const title = h('input', { type: 'text', required: true, maxlength: '200' });
  const minutes = h('input', { type: 'number', min: '1', max: '1440' });
  const reviewId = nextId('review');
  const review = h('input', { type: 'checkbox', id: reviewId, checked: true });
  const cohortBoxes = h('fieldset', { class: 'checks' }, h('legend', {}, 'Assign to cohorts'),
    cohorts.length ? cohorts.map((c) => {
      const id = nextId('pick-cohort');
      return h('div', { class: 'option' }, h('input', { type: 'checkbox', id, value: String(c.id) }), h('label', { for: id }, c.name));
    }) : h('p', {}, 'You have no cohorts yet; the quiz can be assigned later.'));
  const problem = h('div', {});
  const form = h('form', { novalidate: true },
    problem,
    field('Quiz title', title),
    field('Time limit in minutes (optional)', minutes),
    h('div', { class: 'option' }, review, h('label', { for: reviewId }, 'Show keys and rationales after submission')),
    cohortBoxes,
    h('div', { class: 'row-actions' },
      h('button', { type: 'submit' }, 'Create quiz from picked items'),
      h('button', { type: 'button', class: 'secondary', onclick: () => { savePicks([]); redraw(); ctx.go(window.location.hash); } }, 'Clear picks')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    const body = {
      title: title.value.trim(),
      item_ids: picks().map((entry) => entry.id),
      show_review: review.checked,
      cohort_ids: [...cohortBoxes.querySelectorAll('input:checked')].map((input) => Number(input.value)),
    };
    if (minutes.value) {
      body.time_limit_minutes = Number(minutes.value);
    }
    try {
      const quiz = await api('POST', '/quizzes', body);
      savePicks([]);
      ctx.go(`#/quizzes/${quiz.id}/analysis`, `Quiz "${quiz.title}" created with ${quiz.item_count} items.`);
    } catch (error) {
      problem.replaceChildren(problemList(error, 'The quiz was not created:'));
      title.focus();
    }
  });
  return [heading,
    h('ol', { class: 'picked' }, picked.map((entry) => h('li', {}, `${typeName(entry.item_type)}: ${entry.question}`))),
    form];
}

function exportBox(filter) {
  const format = select(FORMATS, 'qti21');
  const status = h('p', { class: 'export-status', role: 'status' });
  const scope = [filter.q ? `search "${filter.q}"` : null, filter.item_type ? typeName(filter.item_type) : null,
    filter.client_need ? clientNeedName(filter.client_need) : null].filter(Boolean);
  const button = h('button', {
    type: 'button',
    onclick: async () => {
      const query = new URLSearchParams({ format: format.value });
      for (const name of ['q', 'item_type', 'client_need']) {
        if (filter[name]) {
          query.set(name, filter[name]);
        }
      }
      status.textContent = 'Preparing the export…';
      button.disabled = true;
      try {
        // fetch with the bearer token in a header, then a Blob link: no token in any URL.
        const response = await api('GET', `/items/export?${query}`, undefined, { raw: true, accept: '*/*' });
        const blob = await response.blob();
        const disposition = response.headers.get('content-disposition') || '';
        const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || `bsn-items-${format.value}`;
        const link = h('a', { href: URL.createObjectURL(blob), download: name, class: 'visually-hidden' }, name);
        document.body.append(link);
        link.click();
        link.remove();
        window.setTimeout(() => URL.revokeObjectURL(link.href), 10000);
        const exported = response.headers.get('x-items-exported') || '0';
        const skipped = response.headers.get('x-items-skipped') || '0';
        status.textContent = `Downloaded ${name}: ${exported} item${exported === '1' ? '' : 's'} exported, ${skipped} skipped (only multiple choice and select-all-that-apply items export).`;
      } catch (error) {
        status.textContent = `The export failed: ${error.message}`;
      } finally {
        button.disabled = false;
      }
    },
  }, 'Download export');
  return h('section', { class: 'card', 'aria-labelledby': 'bank-export-h' },
    h('h2', { id: 'bank-export-h' }, 'Export for an LMS'),
    h('p', {}, `Exports the active items of ${scope.length ? `this filter (${scope.join(', ')})` : 'the whole bank'}; the NCJMM function, difficulty, status and origin filters do not apply to exports.`),
    field('Format', format), button, status);
}

// ---- one item: preview with its key ----

async function loadItem(root, id, title) {
  try {
    return await api('GET', `/items/${encodeURIComponent(id)}`);
  } catch (error) {
    root.replaceChildren(h('h1', {}, title), alertBox(error.message), h('p', {}, h('a', { href: '#/bank' }, 'Back to the bank')));
    return null;
  }
}

function keyPanel(item) {
  return h('aside', { class: 'key-panel card', 'aria-labelledby': 'key-h' },
    h('h2', { id: 'key-h' }, 'Key and rationales (staff only)'),
    h('dl', { class: 'answer-pair' },
      h('dt', {}, 'Correct answer'), h('dd', {}, describeAnswer(item, item.correct_answer)),
      h('dt', {}, 'Scoring'), h('dd', {}, `${humanize(item.scoring_rule)}, ${item.max_points} point${item.max_points === 1 ? '' : 's'}`)),
    item.rationale ? h('p', { class: 'rationale' }, h('strong', {}, 'Rationale: '), item.rationale) : null,
    optionRationales(item),
    item.item_type === 'case_study' ? (item.items || []).map((part, index) => h('section', {},
      h('h3', {}, `Part ${index + 1} · ${typeName(part.item_type)}`),
      h('p', {}, h('strong', {}, 'Correct answer: '), describeAnswer(part, part.correct_answer)),
      part.rationale ? h('p', { class: 'rationale' }, h('strong', {}, 'Rationale: '), part.rationale) : null,
      optionRationales(part))) : null,
    (item.sources || []).length ? h('section', {}, h('h3', {}, 'Sources'), h('ul', {}, item.sources.map((s) => h('li', {}, s.citation)))) : null);
}

function tagList(item) {
  return h('dl', { class: 'item-tags' },
    [['Type', typeName(item.item_type)], ['Topic', item.topic], ['Client need', clientNeedName(item.client_need)],
      ['NCJMM function', humanize(item.ncjmm_function)], ['Difficulty', humanize(item.difficulty)],
      ['AACN', item.aacn_competency], ['QSEN', humanize(item.qsen_competency)], ['Origin', humanize(item.origin)],
      ['Status', humanize(item.status)], ['Updated', formatDate(item.updated_at)]]
      .map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))));
}

function statusButton(ctx, item, place) {
  const retire = item.status !== 'retired';
  return h('button', {
    type: 'button', class: retire ? 'danger' : 'secondary',
    onclick: async () => {
      try {
        await api('PATCH', `/items/${encodeURIComponent(item.id)}`, { status: retire ? 'retired' : 'active' });
        ctx.go(place, retire ? 'The item is retired: no new quiz, practice set or exam will serve it.' : 'The item is active again.');
      } catch (error) {
        ctx.go(place, `The status did not change: ${error.message}`);
      }
    },
  }, retire ? 'Retire this item' : 'Reinstate this item');
}

export async function bankItemPage(root, ctx, params, rawId) {
  const id = decodeURIComponent(rawId);
  root.replaceChildren(h('h1', {}, 'Item preview'), h('p', { class: 'muted' }, 'Loading…'));
  const item = await loadItem(root, id, 'Item preview');
  if (!item) {
    return;
  }
  const said = h('p', { class: 'preview-answer', role: 'status' }, 'Try the item: your answer here is not saved or scored.');
  const player = renderItem(item, null, (answer) => {
    said.textContent = `Your answer in the preview: ${describeAnswer(item, answer)}.`;
  });
  root.replaceChildren(
    h('p', {}, h('a', { href: '#/bank' }, '← Back to the bank')),
    h('h1', {}, 'Item preview'),
    tagList(item),
    h('div', { class: 'row-actions' },
      h('a', { class: 'button', href: `${itemHref(item.id)}/edit` }, 'Edit this item'),
      statusButton(ctx, item, itemHref(item.id))),
    h('div', { class: 'bank-preview' },
      h('section', { class: 'attempt-item', 'aria-labelledby': 'preview-h' },
        h('h2', { id: 'preview-h', class: 'item-heading' }, 'As a student sees it ', h('span', { class: 'item-type' }, `(${typeName(item.item_type)})`)),
        player, said),
      keyPanel(item)));
}

// ---- writing and editing (the form is editor.js) ----

export async function bankEditPage(root, ctx, params, rawId) {
  const id = decodeURIComponent(rawId);
  root.replaceChildren(h('h1', {}, 'Edit item'), h('p', { class: 'muted' }, 'Loading…'));
  const item = await loadItem(root, id, 'Edit item');
  if (!item) {
    return;
  }
  const editor = itemEditor(item, async (next) => {
    const saved = await api('PUT', `/items/${encodeURIComponent(item.id)}`, next);
    ctx.go(itemHref(saved.id), 'Saved: the item passed the quality gate.');
  }, 'Save changes');
  root.replaceChildren(
    h('p', {}, h('a', { href: itemHref(item.id) }, '← Back to the preview')),
    h('h1', {}, 'Edit item'),
    h('p', {}, `${typeName(item.item_type)} · ${humanize(item.status)}. Saving replaces the item (it then counts as written by staff); it must pass the same quality gate as generated items.`),
    h('div', { class: 'row-actions' }, statusButton(ctx, item, `${itemHref(item.id)}/edit`)),
    editor);
}

export function bankNewPage(root, ctx, params) {
  const type = ITEM_TYPES.includes(params.get('type')) ? params.get('type') : 'multiple_choice';
  const kind = select(pairs(ITEM_TYPES, typeName), type);
  kind.addEventListener('change', () => ctx.go(`#/bank/new?type=${kind.value}`));
  const editor = itemEditor(blankItem(type), async (next) => {
    const saved = await api('POST', '/items', next);
    ctx.go(itemHref(saved.id), 'Added to the bank: the item passed the quality gate.');
  }, 'Add to the bank');
  root.replaceChildren(
    h('p', {}, h('a', { href: '#/bank' }, '← Back to the bank')),
    h('h1', {}, 'Write a new item'),
    h('p', {}, 'The server checks the item with the same quality gate as generated items (a clear stem, distinct options of similar length, a key of the right shape for the type, a rationale for each option, cited sources) and names every problem it finds.'),
    field('Item type', kind, 'Changing the type starts an empty form.'),
    editor);
}
