// The item player: renders every item type of the contract and reports answers in the
// contract's answer shapes. Every control is a native form control or a button, so each is
// labelled and works by keyboard; drag and drop is offered as well, never alone.
'use strict';

import { h, nextId, announce, scrollBox } from './dom.js';

const TYPE_NAMES = {
  multiple_choice: 'Multiple choice',
  multiple_response: 'Select all that apply',
  ordered_response: 'Ordered response',
  numeric: 'Fill in the blank (calculation)',
  matrix: 'Matrix',
  drop_down_cloze: 'Drop-down',
  drag_drop_rationale: 'Drag and drop rationale',
  highlight: 'Highlight',
  bow_tie: 'Bow-tie',
  case_study: 'Case study',
};

export function typeName(type) {
  return TYPE_NAMES[type] || type;
}

/** Whether `answer` is empty the way the server counts it (null, "", [], {}). */
export function isEmpty(answer) {
  if (answer === null || answer === undefined || answer === '') {
    return true;
  }
  if (Array.isArray(answer)) {
    return answer.length === 0;
  }
  if (typeof answer === 'object') {
    return Object.keys(answer).length === 0;
  }
  return false;
}

/**
 * The controls for `item` showing `answer`; `onChange(next)` gets each new answer (null when
 * the student clears it). Options keep their ids whatever order the attempt shows them in.
 */
export function renderItem(item, answer, onChange) {
  const render = RENDERERS[item.item_type];
  const body = render ? render(item, answer, onChange) : h('p', {}, `This item type (${item.item_type}) cannot be shown.`);
  return h('div', { class: `item item-${item.item_type}` },
    item.item_type === 'case_study' ? null : exhibit(item.exhibit),
    item.item_type === 'case_study' ? null : h('p', { class: 'stem', id: stemId(item) }, item.question),
    body);
}

function stemId(item) {
  return `stem-${item.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function exhibit(text) {
  return text ? h('div', { class: 'exhibit', role: 'note', 'aria-label': 'Exhibit' }, text) : null;
}

function optionGroup(item, type, selected, onPick) {
  const name = nextId('opt');
  return h('fieldset', { class: 'options', 'aria-describedby': stemId(item) },
    h('legend', { class: 'visually-hidden' }, type === 'radio' ? 'Choose one answer' : 'Choose every answer that applies'),
    item.options.map((option) => {
      const id = nextId('o');
      return h('div', { class: 'option' },
        h('input', {
          type, id, name, value: option.id,
          checked: selected.includes(option.id),
          onchange: onPick,
        }),
        h('label', { for: id }, option.text));
    }));
}

function multipleChoice(item, answer, onChange) {
  const selected = typeof answer === 'string' ? [answer] : [];
  return optionGroup(item, 'radio', selected, (event) => onChange(event.target.value));
}

function multipleResponse(item, answer, onChange) {
  const selected = Array.isArray(answer) ? answer.slice() : [];
  const group = optionGroup(item, 'checkbox', selected, () => {
    const picked = [...group.querySelectorAll('input:checked')].map((input) => input.value);
    onChange(picked.length ? picked : null);
  });
  return group;
}

function orderedResponse(item, answer, onChange) {
  const byId = new Map(item.options.map((option) => [option.id, option]));
  let order = Array.isArray(answer) && answer.length === item.options.length
    ? answer.slice()
    : item.options.map((option) => option.id);
  const list = h('ol', { class: 'ordered', 'aria-describedby': stemId(item) });
  let dragged = null;

  const commit = (message) => {
    draw();
    onChange(order.slice());
    if (message) {
      announce(message);
    }
  };
  const move = (index, delta) => {
    const target = index + delta;
    if (target < 0 || target >= order.length) {
      return;
    }
    [order[index], order[target]] = [order[target], order[index]];
    commit(`${byId.get(order[target]).text}: now number ${target + 1} of ${order.length}.`);
    const button = list.children[target].querySelector(delta < 0 ? '.up' : '.down');
    (button && !button.disabled ? button : list.children[target].querySelector('button:not([disabled])')).focus();
  };
  function draw() {
    list.replaceChildren(...order.map((id, index) => {
      const text = byId.get(id).text;
      const row = h('li', { class: 'ordered-row', draggable: 'true', dataset: { id } },
        h('span', { class: 'ordered-text' }, text),
        h('span', { class: 'ordered-buttons' },
          h('button', { type: 'button', class: 'up', 'aria-label': `Move "${text}" up`, disabled: index === 0, onclick: () => move(index, -1) }, '↑'),
          h('button', { type: 'button', class: 'down', 'aria-label': `Move "${text}" down`, disabled: index === order.length - 1, onclick: () => move(index, 1) }, '↓')));
      row.addEventListener('dragstart', (event) => { dragged = id; event.dataTransfer.setData('text/plain', id); row.classList.add('dragging'); });
      row.addEventListener('dragend', () => row.classList.remove('dragging'));
      row.addEventListener('dragover', (event) => event.preventDefault());
      row.addEventListener('drop', (event) => {
        event.preventDefault();
        const from = order.indexOf(dragged);
        if (from < 0 || dragged === id) {
          return;
        }
        order.splice(from, 1);
        order.splice(order.indexOf(id) + (from <= index ? 1 : 0), 0, dragged);
        commit(`${byId.get(dragged).text}: now number ${order.indexOf(dragged) + 1}.`);
      });
      return row;
    }));
  }
  draw();
  const keep = h('button', { type: 'button', class: 'secondary', onclick: () => commit('Order saved as shown.') }, 'Use this order');
  return h('div', {}, h('p', { class: 'hint' }, 'Put the options in order, first at the top: drag them, or use the arrow buttons.'), list,
    Array.isArray(answer) ? null : keep);
}

function numeric(item, answer, onChange) {
  const id = nextId('num');
  const message = h('p', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' });
  const input = h('input', {
    id, type: 'text', inputmode: 'decimal', autocomplete: 'off',
    value: typeof answer === 'number' ? String(answer) : '',
    'aria-describedby': `${stemId(item)} ${id}-error`,
  });
  input.addEventListener('input', () => {
    const text = input.value.trim().replace(',', '.');
    if (text === '') {
      message.textContent = '';
      input.removeAttribute('aria-invalid');
      onChange(null);
      return;
    }
    const value = Number(text);
    if (!Number.isFinite(value) || !/^-?\d*\.?\d+$/.test(text)) {
      message.textContent = 'Enter a number only, for example 12.5.';
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    message.textContent = '';
    input.removeAttribute('aria-invalid');
    onChange(value);
  });
  return h('div', { class: 'numeric' },
    h('label', { for: id }, 'Your answer'),
    h('span', { class: 'numeric-row' }, input, item.units ? h('span', { class: 'units' }, item.units) : null),
    message);
}

function matrix(item, answer, onChange) {
  const multiple = item.scoring_rule === 'plus_minus';
  const current = answer && typeof answer === 'object' && !Array.isArray(answer) ? { ...answer } : {};
  const table = h('table', { class: 'matrix' },
    h('caption', { class: 'visually-hidden' }, multiple ? 'Choose every column that applies in each row' : 'Choose one column in each row'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Finding or action'), item.columns.map((column) => h('th', { scope: 'col' }, column.text)))),
    h('tbody', {}, item.rows.map((row) => {
      const name = nextId('row');
      return h('tr', {},
        h('th', { scope: 'row' }, row.text),
        item.columns.map((column) => {
          const chosen = current[row.id];
          const checked = multiple ? Array.isArray(chosen) && chosen.includes(column.id) : chosen === column.id;
          return h('td', {}, h('input', {
            type: multiple ? 'checkbox' : 'radio',
            name, value: column.id, checked,
            'aria-label': `${row.text}: ${column.text}`,
            onchange: (event) => {
              if (multiple) {
                const picked = [...table.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);
                if (picked.length) {
                  current[row.id] = picked;
                } else {
                  delete current[row.id];
                }
              } else {
                current[row.id] = event.target.value;
              }
              onChange(Object.keys(current).length ? { ...current } : null);
            },
          }));
        }));
    })));
  return scrollBox('Answer grid', table);
}

/** The template with each `{{slot}}` replaced by `control(slot, index)`. */
function sentence(item, control) {
  const parts = [];
  const pattern = /\{\{([^}]+)\}\}/g;
  let last = 0;
  let match;
  const template = item.template || item.slots.map((slot) => `{{${slot.id}}}`).join(' ');
  while ((match = pattern.exec(template)) !== null) {
    parts.push(template.slice(last, match.index));
    const slot = item.slots.find((candidate) => candidate.id === match[1]);
    parts.push(slot ? control(slot, item.slots.indexOf(slot)) : match[0]);
    last = pattern.lastIndex;
  }
  parts.push(template.slice(last));
  return h('p', { class: 'sentence' }, parts);
}

function dropDownCloze(item, answer, onChange) {
  const current = answer && typeof answer === 'object' ? { ...answer } : {};
  return sentence(item, (slot, index) => {
    const select = h('select', {
      'aria-label': `Blank ${index + 1} of ${item.slots.length}`,
      onchange: (event) => {
        if (event.target.value) {
          current[slot.id] = event.target.value;
        } else {
          delete current[slot.id];
        }
        onChange(Object.keys(current).length ? { ...current } : null);
      },
    },
    h('option', { value: '' }, 'Select…'),
    slot.options.map((option) => h('option', { value: option.id, selected: current[slot.id] === option.id }, option.text)));
    return select;
  });
}

function dragDropRationale(item, answer, onChange) {
  const current = answer && typeof answer === 'object' ? { ...answer } : {};
  const wrap = h('div', { class: 'ddr' });
  const textOf = (slot, id) => (slot.options.find((option) => option.id === id) || {}).text;
  function draw(focusSlot, focusOption) {
    const blanks = sentence(item, (slot, index) => {
      const chosen = current[slot.id];
      const zone = h('span', {
        class: `drop-zone${chosen ? ' filled' : ''}`,
        dataset: { slot: slot.id },
        'aria-label': `Blank ${index + 1}: ${chosen ? textOf(slot, chosen) : 'empty'}`,
        role: 'group',
      }, chosen ? textOf(slot, chosen) : `Blank ${index + 1}`);
      zone.addEventListener('dragover', (event) => event.preventDefault());
      zone.addEventListener('drop', (event) => {
        event.preventDefault();
        const [slotId, optionId] = event.dataTransfer.getData('text/plain').split('|');
        if (slotId === slot.id) {
          current[slot.id] = optionId;
          onChange({ ...current });
          draw();
        } else {
          announce(`That option does not belong in blank ${index + 1}.`);
        }
      });
      return zone;
    });
    const banks = item.slots.map((slot, index) => h('fieldset', { class: 'token-bank' },
      h('legend', {}, `Options for blank ${index + 1}`),
      slot.options.map((option) => {
        const pressed = current[slot.id] === option.id;
        const token = h('button', {
          type: 'button', class: 'token', draggable: 'true', 'aria-pressed': pressed ? 'true' : 'false',
          dataset: { slot: slot.id, option: option.id },
          onclick: () => {
            if (pressed) {
              delete current[slot.id];
            } else {
              current[slot.id] = option.id;
            }
            onChange(Object.keys(current).length ? { ...current } : null);
            announce(pressed ? `Blank ${index + 1} cleared.` : `Blank ${index + 1}: ${option.text}.`);
            draw(slot.id, option.id);
          },
        }, option.text);
        token.addEventListener('dragstart', (event) => event.dataTransfer.setData('text/plain', `${slot.id}|${option.id}`));
        return token;
      })));
    wrap.replaceChildren(blanks, h('p', { class: 'hint' }, 'Drag an option into its blank, or choose it with its button.'), ...banks);
    if (focusSlot) {
      const again = wrap.querySelector(`.token[data-slot="${focusSlot}"][data-option="${focusOption}"]`);
      if (again) {
        again.focus();
      }
    }
  }
  draw();
  return wrap;
}

function highlight(item, answer, onChange) {
  const selected = new Set(Array.isArray(answer) ? answer : []);
  const note = h('div', { class: 'highlight-note', role: 'group', 'aria-describedby': stemId(item) },
    h('p', { class: 'hint' }, 'Select each part of the text to highlight it; select it again to remove the highlight.'),
    item.options.map((option) => {
      const button = h('button', {
        type: 'button', class: 'segment', 'aria-pressed': selected.has(option.id) ? 'true' : 'false',
        onclick: () => {
          if (selected.has(option.id)) {
            selected.delete(option.id);
          } else {
            selected.add(option.id);
          }
          button.setAttribute('aria-pressed', selected.has(option.id) ? 'true' : 'false');
          const ordered = item.options.map((candidate) => candidate.id).filter((id) => selected.has(id));
          onChange(ordered.length ? ordered : null);
        },
      }, option.text);
      return button;
    }));
  return note;
}

function bowTie(item, answer, onChange) {
  const current = {
    condition: answer && answer.condition ? answer.condition : null,
    actions: answer && Array.isArray(answer.actions) ? answer.actions.slice() : [],
    parameters: answer && Array.isArray(answer.parameters) ? answer.parameters.slice() : [],
  };
  const wells = item.wells || {};
  const byId = new Map(item.options.map((option) => [option.id, option]));
  const emit = () => {
    const next = {};
    if (current.condition) {
      next.condition = current.condition;
    }
    if (current.actions.length) {
      next.actions = current.actions.slice();
    }
    if (current.parameters.length) {
      next.parameters = current.parameters.slice();
    }
    onChange(Object.keys(next).length ? next : null);
  };
  const column = (well, legend, limit) => {
    const name = nextId('well');
    const set = h('fieldset', { class: `well well-${well}` },
      h('legend', {}, legend),
      (wells[well] || []).map((id) => {
        const inputId = nextId('b');
        const option = byId.get(id) || { id, text: id };
        const checked = well === 'conditions' ? current.condition === id : current[well].includes(id);
        return h('div', { class: 'option' },
          h('input', {
            type: limit === 1 ? 'radio' : 'checkbox', id: inputId, name, value: id, checked,
            onchange: (event) => {
              if (limit === 1) {
                current.condition = event.target.value;
              } else {
                const picked = [...set.querySelectorAll('input:checked')].map((input) => input.value);
                current[well] = picked;
                set.querySelectorAll('input').forEach((input) => {
                  input.disabled = !input.checked && picked.length >= limit;
                });
              }
              emit();
            },
          }),
          h('label', { for: inputId }, option.text));
      }));
    if (limit > 1) {
      set.querySelectorAll('input').forEach((input) => {
        input.disabled = !input.checked && current[well].length >= limit;
      });
    }
    return set;
  };
  return h('div', { class: 'bow-tie' },
    column('actions', 'Actions to take (choose 2)', 2),
    column('conditions', 'Condition most likely experiencing (choose 1)', 1),
    column('parameters', 'Parameters to monitor (choose 2)', 2));
}

/**
 * A case study: the client record on tabs that grow as the case unfolds (the admission record,
 * then each part's new information), and its six items one at a time.
 */
function caseStudy(item, answer, onChange) {
  const current = answer && typeof answer === 'object' ? { ...answer } : {};
  const parts = item.items || [];
  let step = Math.max(0, parts.findIndex((part) => isEmpty(current[part.id])));
  if (step < 0 || step >= parts.length) {
    step = 0;
  }
  const wrap = h('div', { class: 'case' });
  function draw() {
    const part = parts[step];
    const tabs = [{ label: 'Admission', text: item.scenario || item.question }];
    parts.slice(0, step + 1).forEach((earlier, index) => {
      if (earlier.exhibit) {
        const label = earlier.exhibit.split(':')[0];
        tabs.push({ label: label.length < 40 ? label : `Part ${index + 1}`, text: earlier.exhibit });
      }
    });
    const record = recordTabs(tabs);
    const partAnswer = (next) => {
      if (isEmpty(next)) {
        delete current[part.id];
      } else {
        current[part.id] = next;
      }
      onChange(Object.keys(current).length ? { ...current } : null);
    };
    const nav = h('div', { class: 'case-nav' },
      h('button', { type: 'button', class: 'secondary', disabled: step === 0, onclick: () => { step -= 1; draw(); focusPart(); } }, 'Previous part'),
      h('span', { class: 'case-step' }, `Part ${step + 1} of ${parts.length}`),
      h('button', { type: 'button', class: 'secondary', disabled: step === parts.length - 1, onclick: () => { step += 1; draw(); focusPart(); } }, 'Next part'));
    wrap.replaceChildren(
      h('p', { class: 'stem' }, item.question),
      record,
      h('section', { class: 'case-part', 'aria-label': `Part ${step + 1} of ${parts.length}`, tabindex: '-1' },
        h('h3', {}, `Part ${step + 1}: ${typeName(part.item_type)}`),
        renderItem(part, current[part.id], partAnswer)),
      nav);
  }
  function focusPart() {
    const section = wrap.querySelector('.case-part');
    if (section) {
      section.focus();
    }
  }
  draw();
  return wrap;
}

/** A tab list (ARIA tabs pattern, arrow keys move between tabs); the newest tab is selected. */
function recordTabs(tabs) {
  const base = nextId('rec');
  let selected = tabs.length - 1;
  const list = h('div', { role: 'tablist', 'aria-label': 'Client record', class: 'tabs' });
  const panels = [];
  const buttons = tabs.map((tab, index) => {
    const button = h('button', {
      type: 'button', role: 'tab', id: `${base}-t${index}`, 'aria-controls': `${base}-p${index}`,
      onclick: () => select(index, true),
      onkeydown: (event) => {
        const keys = { ArrowRight: 1, ArrowLeft: -1 };
        if (event.key in keys) {
          event.preventDefault();
          select((selected + keys[event.key] + tabs.length) % tabs.length, true);
        } else if (event.key === 'Home') {
          event.preventDefault();
          select(0, true);
        } else if (event.key === 'End') {
          event.preventDefault();
          select(tabs.length - 1, true);
        }
      },
    }, tab.label);
    panels.push(h('div', { role: 'tabpanel', id: `${base}-p${index}`, 'aria-labelledby': `${base}-t${index}`, class: 'tab-panel', tabindex: '0' }, tab.text));
    return button;
  });
  function select(index, focus) {
    selected = index;
    buttons.forEach((button, i) => {
      button.setAttribute('aria-selected', i === index ? 'true' : 'false');
      button.tabIndex = i === index ? 0 : -1;
      panels[i].hidden = i !== index;
    });
    if (focus) {
      buttons[index].focus();
    }
  }
  list.append(...buttons);
  select(selected, false);
  return h('div', { class: 'record' }, list, panels);
}

const RENDERERS = {
  multiple_choice: multipleChoice,
  multiple_response: multipleResponse,
  ordered_response: orderedResponse,
  numeric,
  matrix,
  drop_down_cloze: dropDownCloze,
  drag_drop_rationale: dragDropRationale,
  highlight,
  bow_tie: bowTie,
  case_study: caseStudy,
};

/** A plain-text account of an answer, with option texts (for the review). */
export function describeAnswer(item, answer) {
  if (isEmpty(answer)) {
    return 'No answer';
  }
  const text = (id) => {
    const option = (item.options || []).find((candidate) => candidate.id === id);
    return option ? option.text : id;
  };
  switch (item.item_type) {
    case 'multiple_choice':
      return text(answer);
    case 'multiple_response':
    case 'highlight':
      return answer.map(text).join('; ');
    case 'ordered_response':
      return answer.map((id, index) => `${index + 1}. ${text(id)}`).join('  ');
    case 'numeric':
      return `${answer}${item.units ? ` ${item.units}` : ''}`;
    case 'matrix':
      return item.rows.filter((row) => answer[row.id] !== undefined).map((row) => {
        const chosen = [].concat(answer[row.id]);
        const names = chosen.map((id) => (item.columns.find((column) => column.id === id) || { text: id }).text);
        return `${row.text}: ${names.join(', ')}`;
      }).join('; ');
    case 'drop_down_cloze':
    case 'drag_drop_rationale':
      return item.slots.filter((slot) => answer[slot.id] !== undefined).map((slot, index) => {
        const option = slot.options.find((candidate) => candidate.id === answer[slot.id]);
        return `Blank ${index + 1}: ${option ? option.text : answer[slot.id]}`;
      }).join('; ');
    case 'bow_tie':
      return [
        answer.condition ? `Condition: ${text(answer.condition)}` : null,
        answer.actions ? `Actions: ${answer.actions.map(text).join(', ')}` : null,
        answer.parameters ? `Monitor: ${answer.parameters.map(text).join(', ')}` : null,
      ].filter(Boolean).join('; ');
    case 'case_study':
      return `${Object.keys(answer).length} of ${(item.items || []).length} parts answered`;
    default:
      return JSON.stringify(answer);
  }
}
