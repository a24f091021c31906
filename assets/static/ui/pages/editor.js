// The item bank's editor: the fields every item shares, and the parts of each item type in the
// item model's shapes (options with keys and per-option rationales; an ordered response's steps
// in their correct order; a numeric answer with its tolerance and units; a matrix's columns, rows
// and one key column per row; a cloze or drag-and-drop rationale's sentence with its blanks; a
// highlight's segments; a bow-tie's three wells; a case study's record and six parts). The
// server's quality gate decides whether an item is good enough; this form builds the JSON and
// shows every problem the gate names. Every control is a labelled native control.
'use strict';

import { h, field, alertBox, humanize, nextId } from '../dom.js';
import { typeName } from '../player.js';
import { clientNeedName } from './student.js';

export const CLIENT_NEEDS = ['management_of_care', 'safety_infection_control', 'health_promotion_maintenance',
  'psychosocial_integrity', 'basic_care_comfort', 'pharmacological_parenteral', 'reduction_of_risk',
  'physiological_adaptation'];
export const ITEM_TYPES = ['multiple_choice', 'multiple_response', 'ordered_response', 'numeric', 'matrix',
  'drop_down_cloze', 'drag_drop_rationale', 'highlight', 'bow_tie', 'case_study'];
export const NCJMM = ['recognize_cues', 'analyze_cues', 'prioritize_hypotheses', 'generate_solutions', 'take_action', 'evaluate_outcomes'];
export const DIFFICULTIES = ['beginner', 'intermediate', 'advanced'];
const QSEN = ['patient_centered_care', 'teamwork_collaboration', 'evidence_based_practice', 'quality_improvement', 'safety', 'informatics'];
const LETTERS = 'ABCDEFGHIJKL';

export function select(options, value, anyLabel) {
  return h('select', {},
    anyLabel ? h('option', { value: '' }, anyLabel) : null,
    options.map(([code, label]) => h('option', { value: code, selected: code === value }, label)));
}

export const pairs = (codes, name) => codes.map((code) => [code, name(code)]);

/** Problems the server gave (the gate names each one) as a list next to the form. */
export function problemList(error, heading) {
  const messages = (error.fields || []).map((f) => (f.field === 'item' ? f.message : `${f.field}: ${f.message}`));
  if (!messages.length) {
    return alertBox(error.message);
  }
  return h('div', { class: 'notice error', role: 'alert' },
    h('p', { class: 'notice-title' }, heading),
    h('ul', {}, messages.map((message) => h('li', {}, message))));
}

// ---- building blocks ----

const textInput = (value, onInput) => h('input', { type: 'text', value: value || '', oninput: (event) => onInput(event.target.value) });
const textArea = (value, onInput, rows) => h('textarea', { rows: String(rows || 2), oninput: (event) => onInput(event.target.value) }, value || '');

function check(type, checked, name, label, onChange) {
  const id = nextId('k');
  const input = h('input', { type, id, name, checked, onchange: (event) => onChange(event.target.checked) });
  return h('div', { class: 'option' }, input, h('label', { for: id }, label));
}

/**
 * An editable list of rows in a fieldset: `fields(row, index)` gives a row's controls; Add and
 * Remove keep the count between `min` and `max`; with `order`, Move up and Move down buttons put
 * the rows in order. Focus stays on the control that was used (or the nearest one left).
 */
function rowList({ legend, hint, noun, label, addLabel, rows, min, max, blank, fields, order, onChange }) {
  const box = h('fieldset', { class: 'option-editor' });
  const changed = () => (onChange ? onChange() : null);
  function draw(focus) {
    box.replaceChildren(...[h('legend', {}, legend),
      hint ? h('p', { class: 'hint' }, hint) : null,
      ...rows.map((row, index) => {
        const name = label ? label(index) : `${noun} ${index + 1}`;
        const move = (delta, label, cls) => h('button', {
          type: 'button', class: `secondary ${cls}`, 'aria-label': `Move ${name.toLowerCase()} ${label}`,
          disabled: index + delta < 0 || index + delta >= rows.length,
          onclick: () => {
            [rows[index], rows[index + delta]] = [rows[index + delta], rows[index]];
            draw({ index: index + delta, selector: `.${cls}` });
            changed();
          },
        }, label === 'up' ? 'Up' : 'Down');
        return h('div', { class: 'option-row' },
          fields(row, index),
          h('div', { class: 'row-actions' },
            order ? [move(-1, 'up', 'move-up'), move(1, 'down', 'move-down')] : null,
            h('button', {
              type: 'button', class: 'secondary remove', disabled: rows.length <= min, 'aria-label': `Remove ${name.toLowerCase()}`,
              onclick: () => {
                rows.splice(index, 1);
                draw({ index: Math.max(0, index - 1), selector: 'input, textarea, select' });
                changed();
              },
            }, 'Remove')));
      }),
      h('button', {
        type: 'button', class: 'secondary add', disabled: rows.length >= max,
        onclick: () => {
          rows.push(blank());
          draw({ index: rows.length - 1, selector: 'input, textarea, select' });
          changed();
        },
      }, addLabel || `Add ${noun.toLowerCase()}`)].filter(Boolean));
    if (focus) {
      const row = box.querySelectorAll(':scope > .option-row')[focus.index];
      const target = row && [...row.querySelectorAll(focus.selector)].find((el) => !el.disabled);
      (target || box.querySelector('.add')).focus();
    }
  }
  draw();
  return { element: box, redraw: () => draw() };
}

const trimmed = (text) => String(text || '').trim();

/** Rows with a text and a rationale from `options` (a new item: `count` empty ones). */
function optionRows(options, rationales, count, keyed) {
  const list = (options || []).map((option) => ({ id: option.id, text: option.text, why: (rationales || {})[option.id] || '', key: keyed ? keyed(option.id) : false }));
  while (!(options || []).length && list.length < count) {
    list.push({ text: '', why: '', key: false });
  }
  return list;
}

/** Text, "is correct" control and rationale for one row. */
function rowFields(row, label, keyControl) {
  return [
    field(label, textInput(row.text, (value) => { row.text = value; })),
    keyControl,
    field(`Rationale for ${label.charAt(0).toLowerCase()}${label.slice(1)}`, textArea(row.why, (value) => { row.why = value; })),
  ];
}

/** `rows` as options with ids from `id(index)`, their rationales added to `rationales`. */
function asOptions(rows, id, rationales, prefix) {
  return rows.map((row, index) => {
    const optionId = id(index);
    if (trimmed(row.why)) {
      rationales[`${prefix || ''}${optionId}`] = trimmed(row.why);
    }
    return { id: optionId, text: trimmed(row.text) };
  });
}

// ---- the parts of each type: { element, apply(next, problems) } ----

function choiceParts(item) {
  const single = item.item_type === 'multiple_choice';
  const keys = new Set([].concat(item.correct_answer || []).filter((key) => typeof key === 'string'));
  const rows = optionRows(item.options, item.option_rationales, 4, (id) => keys.has(id));
  const name = nextId('key');
  const list = rowList({
    legend: single ? 'Options (mark the one correct answer)' : 'Options (mark every correct answer)',
    noun: 'Option', label: (index) => `Option ${LETTERS[index]}`, addLabel: 'Add an option', rows, min: 3, max: 8, blank: () => ({ text: '', why: '', key: false }),
    fields: (row, index) => {
      const letter = LETTERS[index];
      return rowFields(row, `Option ${letter}`, check(single ? 'radio' : 'checkbox', row.key, name, `Option ${letter} is correct`, (on) => {
        if (single) {
          rows.forEach((other) => { other.key = false; });
        }
        row.key = on;
      }));
    },
  });
  return {
    element: list.element,
    apply(next) {
      next.option_rationales = {};
      next.options = asOptions(rows, (index) => LETTERS[index], next.option_rationales);
      const correct = rows.map((row, index) => (row.key ? LETTERS[index] : null)).filter(Boolean);
      if (single) {
        next.correct_answer = correct[0] || '';
        next.scoring_rule = 'zero_one';
        next.max_points = 1;
      } else {
        next.correct_answer = correct;
        next.scoring_rule = 'plus_minus';
        next.max_points = Math.max(1, correct.length);
      }
    },
  };
}

/** A display order that is not the correct one (students never see the steps already in order). */
function shuffledOrder(count) {
  const order = [...Array(count).keys()];
  for (let attempt = 0; attempt < 20 && order.every((value, index) => value === index); attempt += 1) {
    for (let i = count - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  if (count > 1 && order.every((value, index) => value === index)) {
    order.push(order.shift());
  }
  return order;
}

function orderedParts(item) {
  const byId = new Map((item.options || []).map((option) => [option.id, option]));
  const inOrder = Array.isArray(item.correct_answer) && item.correct_answer.every((id) => byId.has(id))
    ? item.correct_answer.map((id) => byId.get(id))
    : item.options;
  const rows = optionRows(inOrder, item.option_rationales, 4);
  const list = rowList({
    legend: 'Steps in the correct order, first at the top',
    hint: 'Students see the steps shuffled and put them in this order. Move a step with its buttons.',
    noun: 'Step', addLabel: 'Add a step', rows, min: 3, max: 7, order: true, blank: () => ({ text: '', why: '' }),
    fields: (row, index) => rowFields(row, `Step ${index + 1}`, null),
  });
  return {
    element: list.element,
    apply(next) {
      const shown = shuffledOrder(rows.length);
      const correct = rows.map(() => null);
      next.option_rationales = {};
      next.options = shown.map((original, position) => {
        const row = rows[original];
        const id = LETTERS[position];
        correct[original] = id;
        if (trimmed(row.why)) {
          next.option_rationales[id] = trimmed(row.why);
        }
        return { id, text: trimmed(row.text) };
      });
      next.correct_answer = correct;
      next.scoring_rule = 'zero_one';
      next.max_points = 1;
    },
  };
}

function numberOf(text) {
  const clean = trimmed(text).replace(',', '.');
  return /^-?\d*\.?\d+$/.test(clean) ? Number(clean) : null;
}

function numericParts(item) {
  const answer = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', value: typeof item.correct_answer === 'number' ? String(item.correct_answer) : '' });
  const tolerance = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', value: typeof item.tolerance === 'number' ? String(item.tolerance) : '0' });
  const units = h('input', { type: 'text', maxlength: '40', value: item.units || '' });
  let drop = null;
  if (item.calculation) {
    const dropId = nextId('calc');
    drop = h('div', {},
      h('p', { class: 'hint' }, `This item stores its calculation (${humanize(item.calculation.formula)}); the gate recomputes it and refuses an answer that differs.`),
      h('div', { class: 'option' }, h('input', { type: 'checkbox', id: dropId }), h('label', { for: dropId }, 'Remove the stored calculation (the gate then checks the answer, tolerance and units only)')));
  }
  return {
    element: h('fieldset', { class: 'option-editor' }, h('legend', {}, 'Answer'),
      h('div', { class: 'filter-grid' },
        field('Correct answer (a number)', answer, 'Students type a number; a comma counts as the decimal point.'),
        field('Accepted difference (plus or minus)', tolerance, '0 accepts only the exact answer.'),
        field('Units', units, 'Shown after the answer box, for example mL/h.')),
      drop),
    apply(next, problems) {
      const key = numberOf(answer.value);
      const within = numberOf(tolerance.value || '0');
      if (key === null) {
        problems.push('Correct answer: enter a number, for example 12.5.');
      }
      if (within === null) {
        problems.push('Accepted difference: enter a number, for example 0.1.');
      }
      next.correct_answer = key === null ? 0 : key;
      next.tolerance = within === null ? 0 : within;
      next.units = trimmed(units.value);
      if (drop && drop.querySelector('input').checked) {
        delete next.calculation;
      }
      next.scoring_rule = 'zero_one';
      next.max_points = 1;
    },
  };
}

function matrixParts(item) {
  const columns = optionRows(item.columns, {}, 2);
  const key = item.correct_answer && typeof item.correct_answer === 'object' ? item.correct_answer : {};
  const rows = optionRows(item.rows, item.option_rationales, 3).map((row) => ({ ...row, column: columns.find((c) => c.id && c.id === key[row.id]) || null }));
  // The key pickers list the columns; they are refilled in place when the columns change, so
  // focus never moves.
  const fill = (picker, row) => {
    if (row.column && !columns.includes(row.column)) {
      row.column = null;
    }
    picker.replaceChildren(h('option', { value: '' }, 'Choose the correct column'),
      ...columns.map((column, at) => h('option', { value: String(at), selected: row.column === column }, trimmed(column.text) || `Column ${at + 1}`)));
  };
  const refill = () => rows.forEach((row) => (row.picker ? fill(row.picker, row) : null));
  const columnEditor = rowList({
    legend: 'Columns (2 to 4)', noun: 'Column', addLabel: 'Add a column', rows: columns, min: 2, max: 4, blank: () => ({ text: '' }),
    fields: (column, index) => field(`Column ${index + 1}`, textInput(column.text, (value) => { column.text = value; refill(); })),
    onChange: refill,
  });
  const rowEditor = rowList({
    legend: 'Rows (3 to 8), each with its one correct column',
    hint: 'Each row scores a point when the student picks its correct column.',
    noun: 'Row', addLabel: 'Add a row', rows, min: 3, max: 8, blank: () => ({ text: '', why: '', column: null }),
    fields: (row, index) => {
      row.picker = h('select', {
        onchange: (event) => { row.column = event.target.value === '' ? null : columns[Number(event.target.value)]; },
      });
      fill(row.picker, row);
      return [
        field(`Row ${index + 1}`, textInput(row.text, (value) => { row.text = value; })),
        field(`Correct column for row ${index + 1}`, row.picker),
        field(`Rationale for row ${index + 1}`, textArea(row.why, (value) => { row.why = value; })),
      ];
    },
  });
  return {
    element: h('div', {}, columnEditor.element, rowEditor.element),
    apply(next) {
      next.columns = columns.map((column, index) => ({ id: `C${index + 1}`, text: trimmed(column.text) }));
      next.option_rationales = {};
      next.rows = asOptions(rows, (index) => `R${index + 1}`, next.option_rationales);
      next.correct_answer = {};
      rows.forEach((row, index) => {
        const at = columns.indexOf(row.column);
        if (at >= 0) {
          next.correct_answer[`R${index + 1}`] = `C${at + 1}`;
        }
      });
      next.scoring_rule = 'zero_one';
      next.max_points = rows.length;
    },
  };
}

/** Drop-down cloze and drag-and-drop rationale: a sentence with {{1}}, {{2}} … and a slot each. */
function slotParts(item) {
  const dyad = item.item_type === 'drag_drop_rationale';
  const key = item.correct_answer && typeof item.correct_answer === 'object' ? item.correct_answer : {};
  const rationales = item.option_rationales || {};
  const template = h('textarea', { rows: '3' }, item.template || (dyad ? '{{1}} because {{2}}.' : 'The nurse should {{1}}.'));
  const slots = (item.slots && item.slots.length ? item.slots : (dyad ? [{ id: '1' }, { id: '2' }] : [{ id: '1' }])).map((slot) => ({
    options: optionRows(slot.options, Object.fromEntries(Object.entries(rationales)
      .filter(([id]) => id.startsWith(`${slot.id}.`)).map(([id, text]) => [id.slice(slot.id.length + 1), text])), 3,
    (id) => key[slot.id] === id),
    oldId: slot.id,
  }));
  // Blanks are numbered by position; the sentence's placeholders are renumbered to match.
  const renumber = (removedId) => {
    const map = new Map(slots.map((slot, index) => [slot.oldId, String(index + 1)]));
    template.value = template.value.replace(/\{\{([^}]+)\}\}/g, (whole, id) => {
      if (id === removedId) {
        return '';
      }
      return map.has(id) ? `{{${map.get(id)}}}` : whole;
    });
    slots.forEach((slot, index) => { slot.oldId = String(index + 1); });
  };
  const slotEditor = (slot, index) => {
    const name = nextId('slot');
    slot.list = rowList({
      legend: `Options for blank ${index + 1} (3 to 6; mark the correct one)`, noun: 'Option',
      label: (at) => `Blank ${index + 1}, option ${LETTERS[at]}`, addLabel: `Add an option to blank ${index + 1}`,
      rows: slot.options, min: 3, max: 6, blank: () => ({ text: '', why: '', key: false }),
      fields: (row, at) => rowFields(row, `Blank ${index + 1}, option ${LETTERS[at]}`,
        check('radio', row.key, name, `Blank ${index + 1}, option ${LETTERS[at]} is correct`, (on) => {
          slot.options.forEach((other) => { other.key = false; });
          row.key = on;
        })),
    });
    return slot.list.element;
  };
  const box = h('div', {});
  function draw(focusIndex) {
    box.replaceChildren(...slots.map((slot, index) => h('div', { class: 'slot-editor' },
      slotEditor(slot, index),
      h('button', {
        type: 'button', class: 'secondary', disabled: slots.length <= (dyad ? 2 : 1), 'aria-label': `Remove blank ${index + 1}`,
        onclick: () => {
          const [gone] = slots.splice(index, 1);
          renumber(gone.oldId);
          draw(Math.max(0, index - 1));
        },
      }, `Remove blank ${index + 1}`))),
    h('button', {
      type: 'button', class: 'secondary add-slot', disabled: slots.length >= (dyad ? 3 : 6),
      onclick: () => {
        slots.push({ options: optionRows([], {}, 3), oldId: String(slots.length + 1) });
        template.value = `${template.value.trimEnd()} {{${slots.length}}}`;
        draw(slots.length - 1);
      },
    }, 'Add a blank'));
    if (focusIndex !== undefined) {
      const target = box.querySelectorAll('.slot-editor')[focusIndex];
      (target ? target.querySelector('input') : box.querySelector('.add-slot')).focus();
    }
  }
  draw();
  return {
    element: h('fieldset', { class: 'option-editor' },
      h('legend', {}, dyad ? 'Sentence and blanks (a dyad has 2 blanks, a triad 3)' : 'Sentence and blanks'),
      field('Sentence with blanks', template, 'Write {{1}}, {{2}} … where each blank goes; the options for each blank follow.'),
      box),
    apply(next) {
      next.template = trimmed(template.value);
      next.option_rationales = {};
      next.correct_answer = {};
      next.slots = slots.map((slot, index) => {
        const id = String(index + 1);
        const keyed = slot.options.findIndex((row) => row.key);
        if (keyed >= 0) {
          next.correct_answer[id] = LETTERS[keyed];
        }
        return { id, options: asOptions(slot.options, (at) => LETTERS[at], next.option_rationales, `${id}.`) };
      });
      next.scoring_rule = dyad ? 'rationale' : 'zero_one';
      next.max_points = dyad ? (slots.length >= 3 ? 2 : 1) : slots.length;
    },
  };
}

function highlightParts(item) {
  const keys = new Set(Array.isArray(item.correct_answer) ? item.correct_answer : []);
  const rows = optionRows(item.options, item.option_rationales, 5, (id) => keys.has(id));
  const list = rowList({
    legend: 'Segments of the note, in reading order (mark the ones to highlight)',
    hint: 'Students see the segments as one passage and highlight the ones that matter; each right or wrong highlight counts (plus or minus).',
    noun: 'Segment', addLabel: 'Add a segment', rows, min: 5, max: 12, order: true, blank: () => ({ text: '', why: '', key: false }),
    fields: (row, index) => rowFields(row, `Segment ${index + 1}`, check('checkbox', row.key, null, `Segment ${index + 1} should be highlighted`, (on) => { row.key = on; })),
  });
  return {
    element: list.element,
    apply(next) {
      next.option_rationales = {};
      next.options = asOptions(rows, (index) => `S${index + 1}`, next.option_rationales);
      next.correct_answer = rows.map((row, index) => (row.key ? `S${index + 1}` : null)).filter(Boolean);
      next.scoring_rule = 'plus_minus';
      next.max_points = Math.max(1, next.correct_answer.length);
    },
  };
}

const WELLS = [
  { well: 'conditions', prefix: 'C', noun: 'Condition', min: 3, keys: 1, legend: 'Conditions (at least 3; mark the one the client most likely has)' },
  { well: 'actions', prefix: 'A', noun: 'Action', min: 4, keys: 2, legend: 'Actions to take (at least 4; mark the 2 correct ones)' },
  { well: 'parameters', prefix: 'P', noun: 'Parameter', min: 4, keys: 2, legend: 'Parameters to monitor (at least 4; mark the 2 correct ones)' },
];

function bowTieParts(item) {
  const byId = new Map((item.options || []).map((option) => [option.id, option]));
  const key = item.correct_answer && typeof item.correct_answer === 'object' ? item.correct_answer : {};
  const keyed = new Set([key.condition, ...(key.actions || []), ...(key.parameters || [])].filter(Boolean));
  const wells = WELLS.map((spec) => {
    const options = ((item.wells || {})[spec.well] || []).map((id) => byId.get(id)).filter(Boolean);
    const rows = optionRows(options, item.option_rationales, spec.min, (id) => keyed.has(id));
    const name = nextId('well');
    const list = rowList({
      legend: spec.legend, noun: spec.noun, addLabel: `Add ${spec.noun.toLowerCase()}`, rows, min: spec.min, max: 8, blank: () => ({ text: '', why: '', key: false }),
      fields: (row, index) => rowFields(row, `${spec.noun} ${index + 1}`,
        check(spec.keys === 1 ? 'radio' : 'checkbox', row.key, name, `${spec.noun} ${index + 1} is correct`, (on) => {
          if (spec.keys === 1) {
            rows.forEach((other) => { other.key = false; });
          }
          row.key = on;
        })),
    });
    return { spec, rows, list };
  });
  return {
    element: h('div', { class: 'bow-tie-editor' }, wells.map((entry) => entry.list.element)),
    apply(next) {
      next.option_rationales = {};
      next.options = [];
      next.wells = {};
      const chosen = {};
      for (const { spec, rows } of wells) {
        const options = asOptions(rows, (index) => `${spec.prefix}${index + 1}`, next.option_rationales);
        next.options.push(...options);
        next.wells[spec.well] = options.map((option) => option.id);
        chosen[spec.well] = options.filter((option, index) => rows[index].key).map((option) => option.id);
      }
      next.correct_answer = { condition: chosen.conditions[0] || '', actions: chosen.actions, parameters: chosen.parameters };
      next.scoring_rule = 'zero_one';
      next.max_points = 5;
    },
  };
}

const PART_TYPES = ITEM_TYPES.filter((type) => type !== 'case_study');

/** A case study: the admission record, then six parts (one per NCJMM function, in order). */
function caseParts(item) {
  const scenario = h('textarea', { rows: '5' }, item.scenario || '');
  // Part ids name the parts across the bank (their difficulty is calibrated by id), so a new
  // case's parts get a random stem of their own.
  const random = [...window.crypto.getRandomValues(new Uint8Array(8))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  const parts = NCJMM.map((fn, index) => {
    const old = (item.items || [])[index];
    return old ? { ...old } : { ...blankItem('multiple_choice'), id: `case-${random}-${index + 1}`, ncjmm_function: fn, fresh: true };
  });
  const sections = parts.map((part, index) => partSection(parts, index));
  return {
    element: h('div', { class: 'case-editor' },
      field('Admission record (the first tab of the client record)', scenario, 'The client\'s situation at the start: history, assessment, vital signs.'),
      h('p', { class: 'hint' }, 'The six parts below are stored inside this case study (not as separate bank items). Each reveals new information, shown as a new tab of the record, and asks about one NCJMM function in order.'),
      sections.map((section) => section.element)),
    apply(next, problems) {
      next.scenario = trimmed(scenario.value);
      next.items = sections.map((section, index) => {
        const part = section.build(problems);
        // A part written here takes the case's classification; a stored part keeps its own. A
        // part without sources cites the case's.
        if (part.fresh) {
          for (const common of ['topic', 'client_need', 'difficulty', 'qsen_competency', 'aacn_competency']) {
            part[common] = next[common];
          }
        }
        if (part.fresh || !(part.sources || []).length) {
          part.sources = next.sources;
        }
        delete part.fresh;
        part.ncjmm_function = NCJMM[index];
        part.id = parts[index].id;
        return part;
      });
      next.correct_answer = Object.fromEntries(next.items.map((part) => [part.id, part.correct_answer]));
      next.option_rationales = Object.fromEntries(next.items.filter((part) => part.rationale).map((part) => [part.id, part.rationale]));
      next.scoring_rule = 'zero_one';
      next.max_points = next.items.reduce((sum, part) => sum + (part.max_points || 0), 0);
      delete next.exhibit;
    },
  };
}

function partSection(parts, index) {
  const section = h('fieldset', { class: 'case-part-editor' });
  let build = null;
  function draw(focusType) {
    const part = parts[index];
    const label = `Part ${index + 1}`;
    const type = select(pairs(PART_TYPES, typeName), part.item_type);
    type.addEventListener('change', () => {
      parts[index] = { ...blankItem(type.value), id: part.id, ncjmm_function: NCJMM[index], question: stem.value, exhibit: exhibitText.value, rationale: rationale.value, fresh: true };
      draw(true);
    });
    const stem = h('textarea', { rows: '3' }, part.question || '');
    const exhibitText = h('textarea', { rows: '3' }, part.exhibit || '');
    const rationale = h('textarea', { rows: '3' }, part.rationale || '');
    const typed = typeParts(part);
    section.replaceChildren(
      h('legend', {}, `${label}: ${humanize(NCJMM[index])}`),
      field(`${label} item type`, type, 'Changing the type empties this part\'s options.'),
      field(`${label} new information (a new tab of the record)`, exhibitText, index === 0 ? 'Optional for the first part; start it with a short title and a colon, for example "Vital signs: …".' : 'Start it with a short title and a colon, for example "Laboratory results: …".'),
      field(`${label} question`, stem),
      typed.element,
      field(`${label} rationale`, rationale));
    build = (problems) => {
      const next = { ...parts[index] };
      next.question = trimmed(stem.value);
      next.rationale = trimmed(rationale.value);
      if (trimmed(exhibitText.value)) {
        next.exhibit = trimmed(exhibitText.value);
      } else {
        delete next.exhibit;
      }
      const own = [];
      typed.apply(next, own);
      problems.push(...own.map((problem) => `${label}: ${problem}`));
      return next;
    };
    if (focusType) {
      type.focus();
    }
  }
  draw();
  return { element: section, build: (problems) => build(problems) };
}

const PARTS = {
  multiple_choice: choiceParts,
  multiple_response: choiceParts,
  ordered_response: orderedParts,
  numeric: numericParts,
  matrix: matrixParts,
  drop_down_cloze: slotParts,
  drag_drop_rationale: slotParts,
  highlight: highlightParts,
  bow_tie: bowTieParts,
  case_study: caseParts,
};

/** The type-specific editor of `item`: `{element, apply(next, problems)}`. */
function typeParts(item) {
  const parts = PARTS[item.item_type];
  if (!parts) {
    return { element: h('p', { class: 'hint' }, `This form cannot edit the parts of a ${item.item_type} item; they are kept as they are.`), apply() {} };
  }
  return parts(item);
}

const STEM_HINTS = {
  multiple_response: 'End with a question or an instruction; say "Select all that apply."',
  ordered_response: 'Ask for an order, for example "In which order should the nurse …?"',
  numeric: 'Ask for a calculation, for example "Calculate the rate in mL/h."',
  matrix: 'Say what to do in each row, for example "For each finding, select …".',
  drop_down_cloze: 'Ask the student to complete the sentence, for example "Complete the sentence."',
  drag_drop_rationale: 'Ask the student to complete the sentence, for example "Complete the sentence by dragging …".',
  highlight: 'Ask what to highlight, for example "Highlight the findings that require follow-up."',
  bow_tie: 'Ask for the condition, actions and parameters, for example "Complete the diagram: select …".',
  case_study: 'For example "Read the case and answer the six questions that follow."',
};

/** The item an instructor starts from when writing a new one of `type`. */
export function blankItem(type) {
  return {
    item_type: type,
    question: '',
    correct_answer: type === 'multiple_choice' ? '' : [],
    scoring_rule: 'zero_one',
    max_points: 1,
    rationale: '',
    option_rationales: {},
    client_need: 'management_of_care',
    ncjmm_function: 'take_action',
    aacn_competency: '2.4',
    qsen_competency: 'safety',
    difficulty: 'intermediate',
    topic: '',
    sources: [],
  };
}

/**
 * The editor: the shared fields for every type, then the type's own parts. `onSave(item)` sends
 * the built item; what it throws (the gate's problems) is listed above the form, which takes focus.
 */
export function itemEditor(item, onSave, saveLabel) {
  const isCase = item.item_type === 'case_study';
  const problem = h('div', { class: 'gate-problems', 'aria-live': 'polite' });
  const stem = h('textarea', { rows: '3', required: true }, item.question || '');
  const exhibitText = h('textarea', { rows: '3' }, item.exhibit || '');
  const rationale = h('textarea', { rows: '3', required: true }, item.rationale || '');
  const topic = h('input', { type: 'text', required: true, value: item.topic || '', maxlength: '200' });
  const need = select(pairs(CLIENT_NEEDS, clientNeedName), item.client_need);
  const ncjmm = select(pairs(NCJMM, humanize), item.ncjmm_function);
  const difficulty = select(pairs(DIFFICULTIES, humanize), item.difficulty);
  const qsen = select(pairs(QSEN, humanize), item.qsen_competency);
  const aacn = h('input', { type: 'text', value: item.aacn_competency || '', maxlength: '10' });
  const sources = h('textarea', { rows: '3' }, (item.sources || []).map((s) => s.citation).join('\n'));
  const parts = typeParts(item);

  function build(problems) {
    const next = { ...item };
    for (const key of ['origin', 'status', 'author_id', 'created_at', 'updated_at']) {
      delete next[key];
    }
    next.question = trimmed(stem.value);
    next.rationale = trimmed(rationale.value);
    next.topic = trimmed(topic.value);
    next.client_need = need.value;
    next.ncjmm_function = ncjmm.value;
    next.difficulty = difficulty.value;
    next.qsen_competency = qsen.value;
    next.aacn_competency = trimmed(aacn.value);
    if (!isCase && trimmed(exhibitText.value)) {
      next.exhibit = trimmed(exhibitText.value);
    } else {
      delete next.exhibit;
    }
    const old = new Map((item.sources || []).map((s) => [s.citation, s.id]));
    next.sources = sources.value.split('\n').map((line) => line.trim()).filter(Boolean)
      .map((citation, index) => ({ id: old.get(citation) || `ref-${index + 1}`, citation }));
    parts.apply(next, problems);
    return next;
  }

  const form = h('form', { class: 'card item-editor', novalidate: true },
    problem,
    field(isCase ? 'Instruction (stem)' : 'Question (stem)', stem, STEM_HINTS[item.item_type] || 'End with a question or a clear instruction.'),
    isCase ? null : field('Exhibit (optional: vital signs, labs, notes)', exhibitText),
    parts.element,
    field(isCase ? 'Rationale for the whole case' : 'Rationale', rationale),
    h('div', { class: 'filter-grid' },
      field('Topic', topic), field(isCase ? 'NCJMM function (of the case as a whole)' : 'NCJMM function', ncjmm),
      field('Client need', need), field('Difficulty', difficulty),
      field('QSEN competency', qsen), field('AACN sub-competency', aacn, 'For example 2.4.')),
    field('Sources, one citation per line', sources, 'Items you write cite their references.'),
    h('button', { type: 'submit' }, saveLabel));
  const show = (box) => {
    problem.replaceChildren(box);
    const alert = problem.querySelector('[role="alert"]');
    if (alert) {
      alert.tabIndex = -1;
      alert.focus();
    }
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    const local = [];
    const next = build(local);
    if (local.length) {
      show(problemList({ fields: local.map((message) => ({ field: 'item', message })) }, 'The item is not complete:'));
      return;
    }
    try {
      await onSave(next);
    } catch (error) {
      show(problemList(error, 'The server did not accept the item:'));
    }
  });
  return form;
}
