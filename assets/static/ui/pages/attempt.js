// Taking an attempt: one item at a time, answers saved as they change (the server acknowledges
// only what is on disk), flag for review, a question map, the server's deadline, and resume
// after a reload or on another device (everything comes back from the server).
'use strict';

import { h, alertBox, announce } from '../dom.js';
import { api } from '../api.js';
import { renderItem, isEmpty, typeName } from '../player.js';

const SAVE_DELAY_MS = 400;

export async function attemptPage(root, ctx, params, attemptId, position) {
  root.replaceChildren(h('p', { class: 'muted' }, 'Loading the attempt…'));
  let attempt;
  let title = 'Practice';
  try {
    attempt = await api('GET', `/attempts/${attemptId}`);
    const quiz = await api('GET', `/quizzes/${attempt.quiz_id}`).catch(() => null);
    if (quiz && quiz.title) {
      title = quiz.title;
    }
  } catch (error) {
    root.replaceChildren(h('h1', {}, 'Attempt'), alertBox(error.message));
    return;
  }
  if (attempt.status !== 'in_progress') {
    ctx.go(`#/review/${attemptId}`);
    return;
  }
  const items = attempt.items || [];
  const answers = {};
  const flags = {};
  for (const [id, saved] of Object.entries(attempt.responses || {})) {
    answers[id] = saved.answer;
    flags[id] = Boolean(saved.flagged);
  }
  let index = Number.isInteger(position) && position >= 1 && position <= items.length
    ? position - 1
    : Math.max(0, items.findIndex((item) => isEmpty(answers[item.id])));
  if (index < 0) {
    index = 0;
  }

  const status = h('p', { class: 'save-status', role: 'status', 'aria-live': 'polite' });
  const problem = h('div', {});
  const timer = h('p', { class: 'timer', role: 'timer', 'aria-live': 'off' });
  const holder = h('div', {});
  const map = h('nav', { class: 'question-map', 'aria-label': 'Questions' });
  const flagButton = h('button', { type: 'button', class: 'secondary flag', 'aria-pressed': 'false' }, 'Flag for review');
  const previous = h('button', { type: 'button', class: 'secondary' }, 'Previous');
  const next = h('button', { type: 'button' }, 'Next');
  const finish = h('button', { type: 'button', class: 'finish' }, 'Review and submit');

  // One save in flight per item; a newer answer waits for it and then goes.
  const pending = new Map();
  const timers = new Map();
  let failed = false;

  async function save(itemId, body) {
    const previousSave = pending.get(itemId) || Promise.resolve();
    const run = previousSave.then(async () => {
      status.textContent = 'Saving…';
      try {
        await api('PUT', `/attempts/${attemptId}/responses/${encodeURIComponent(itemId)}`, body);
        failed = false;
        problem.replaceChildren();
        status.textContent = 'All answers saved.';
      } catch (error) {
        failed = true;
        status.textContent = 'Not saved.';
        problem.replaceChildren(alertBox(error.status === 409
          ? `${error.message} Your saved answers are kept.`
          : `Your last answer was not saved: ${error.message}`));
        if (error.status === 409) {
          window.setTimeout(() => ctx.go(`#/review/${attemptId}`), 2500);
        }
      }
    });
    pending.set(itemId, run);
    return run;
  }

  function answerChanged(itemId, answer) {
    answers[itemId] = answer;
    window.clearTimeout(timers.get(itemId));
    timers.set(itemId, window.setTimeout(() => {
      timers.delete(itemId);
      save(itemId, { answer: isEmpty(answer) ? null : answer });
    }, SAVE_DELAY_MS));
    status.textContent = 'Changes not yet saved…';
    drawMap();
  }

  async function flush() {
    for (const [itemId, handle] of timers) {
      window.clearTimeout(handle);
      timers.delete(itemId);
      save(itemId, { answer: isEmpty(answers[itemId]) ? null : answers[itemId] });
    }
    await Promise.all(pending.values());
  }

  function drawMap() {
    map.replaceChildren(h('ol', {}, items.map((item, i) => {
      const answered = !isEmpty(answers[item.id]);
      const label = `Question ${i + 1}${answered ? ', answered' : ', not answered'}${flags[item.id] ? ', flagged' : ''}`;
      return h('li', {}, h('button', {
        type: 'button',
        class: `map-button${answered ? ' answered' : ''}${flags[item.id] ? ' flagged' : ''}${i === index ? ' current' : ''}`,
        'aria-label': label,
        'aria-current': i === index ? 'step' : false,
        onclick: () => show(i, true),
      }, String(i + 1), flags[item.id] ? h('span', { 'aria-hidden': 'true' }, ' ⚑') : null));
    })));
  }

  function show(i, focus) {
    index = i;
    const item = items[index];
    window.history.replaceState(null, '', `#/attempt/${attemptId}/${index + 1}`);
    const heading = h('h2', { tabindex: '-1', class: 'item-heading' }, `Question ${index + 1} of ${items.length}`,
      h('span', { class: 'item-type' }, ` · ${typeName(item.item_type)}`));
    holder.replaceChildren(heading, renderItem(item, answers[item.id], (answer) => answerChanged(item.id, answer)));
    flagButton.setAttribute('aria-pressed', flags[item.id] ? 'true' : 'false');
    flagButton.textContent = flags[item.id] ? 'Flagged for review' : 'Flag for review';
    previous.disabled = index === 0;
    next.disabled = index === items.length - 1;
    drawMap();
    if (focus) {
      heading.focus();
    }
  }

  flagButton.addEventListener('click', () => {
    const item = items[index];
    flags[item.id] = !flags[item.id];
    save(item.id, { flagged: flags[item.id] });
    show(index, false);
    flagButton.focus();
    announce(flags[item.id] ? 'Flagged for review.' : 'Flag removed.');
  });
  previous.addEventListener('click', () => show(index - 1, true));
  next.addEventListener('click', () => show(index + 1, true));
  finish.addEventListener('click', async () => {
    await flush();
    const unanswered = items.filter((item) => isEmpty(answers[item.id])).length;
    const flagged = items.filter((item) => flags[item.id]).length;
    const parts = [unanswered
      ? `${unanswered} question${unanswered === 1 ? ' is' : 's are'} not answered`
      : 'Every question is answered'];
    if (flagged) {
      parts.push(`${flagged} ${flagged === 1 ? 'is' : 'are'} flagged for review`);
    }
    confirmSubmit(`${parts.join('; ')}.`);
  });

  const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' });
  function confirmSubmit(summary) {
    const submit = h('button', { type: 'button' }, 'Submit');
    const back = h('button', { type: 'button', class: 'secondary' }, 'Keep working');
    dialog.replaceChildren(
      h('h2', { id: 'confirm-title' }, 'Submit this attempt?'),
      h('p', {}, summary),
      h('p', {}, 'After you submit, answers cannot be changed.'),
      h('div', { class: 'actions' }, back, submit));
    back.addEventListener('click', () => dialog.close());
    submit.addEventListener('click', async () => {
      submit.disabled = true;
      try {
        await flush();
        await api('POST', `/attempts/${attemptId}/submit`);
        dialog.close();
        stopTimer();
        ctx.go(`#/review/${attemptId}`);
      } catch (error) {
        dialog.close();
        problem.replaceChildren(alertBox(error.message));
      }
    });
    dialog.showModal();
    submit.focus();
  }

  let timerHandle = null;
  function stopTimer() {
    if (timerHandle) {
      window.clearInterval(timerHandle);
    }
  }
  if (attempt.deadline_at) {
    const deadline = Date.now() + (attempt.seconds_remaining || 0) * 1000;
    const warned = new Set();
    const tick = () => {
      if (!document.body.contains(timer)) {
        stopTimer();
        return;
      }
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      const minutes = Math.floor(left / 60);
      const seconds = String(left % 60).padStart(2, '0');
      timer.textContent = `Time left: ${minutes}:${seconds}`;
      for (const mark of [300, 60]) {
        if (left <= mark && !warned.has(mark)) {
          warned.add(mark);
          announce(`${mark / 60} minute${mark === 60 ? '' : 's'} left.`);
        }
      }
      if (left === 0) {
        stopTimer();
        flush().finally(() => ctx.go(`#/review/${attemptId}`));
      }
    };
    tick();
    timerHandle = window.setInterval(tick, 1000);
  }

  ctx.beforeLeave(async () => {
    stopTimer();
    await flush();
    return !failed;
  });

  root.replaceChildren(
    h('div', { class: 'attempt' },
      h('div', { class: 'attempt-bar' }, h('h1', {}, title), timer, status),
      problem,
      h('div', { class: 'attempt-body' },
        h('section', { class: 'attempt-item', 'aria-live': 'off' }, holder,
          h('div', { class: 'attempt-actions' }, previous, flagButton, next, finish)),
        h('aside', { class: 'attempt-map' }, h('h2', { class: 'small' }, 'Questions'), map)),
      dialog));
  show(index, false);
}
