// The web UI driven in real headless Chromium against the real binary (started by run.sh).
// Each step fails loudly; on every page it checks for console errors, CSP violations and
// serious or critical axe-core violations, and keeps screenshots at phone and desktop widths.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = process.env.BSN_BASE;
const artifacts = process.env.BSN_ARTIFACTS;
const initialAdminPassword = process.env.BSN_ADMIN_PASSWORD;
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const ADMIN_PASSWORD = 'ui test admin password 1';
const STUDENT = { username: 'ui-student', password: 'ui test student password 1' };
const INSTRUCTOR = { username: 'ui-instructor', password: 'ui test instructor password 1' };

// ---- the API, for setting up and for checking what the server recorded ----
async function call(method, path, token, body) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${response.status} ${text}`);
  }
  return json;
}
const login = async (username, password) => (await call('POST', '/auth/login', null, { username, password })).access_token;
// A password an admin sets is temporary: the first sign-in must choose one (here the same text).
async function firstChange(username, password) {
  await call('POST', '/auth/password', await login(username, password), { current_password: password, new_password: password });
}

// ---- the browser ----
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const problems = [];
let shots = 0;
let checkedPages = 0;

async function newPage(viewport) {
  const context = await browser.newContext({ viewport: viewport || { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__csp.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  page.expectedHttpErrors = 0;
  page.on('console', (message) => {
    if (message.type() !== 'error') {
      return;
    }
    // Chromium logs each 4xx answer as a console error; the steps that provoke one say so.
    if (message.text().startsWith('Failed to load resource: the server responded with a status of 4')
      && page.expectedHttpErrors > 0) {
      page.expectedHttpErrors -= 1;
      return;
    }
    problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`script error on ${page.url()}: ${error.message}`));
  return page;
}

/** axe-core (serious and critical), CSP violations, and a screenshot; `name` labels the page. */
async function checkPage(page, name) {
  await page.waitForLoadState('networkidle');
  // Evaluated through the DevTools protocol, so the page's CSP does not apply to axe itself.
  await page.evaluate(`${axeSource}\n;0`);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const violation of bad) {
    problems.push(`axe ${violation.impact} on ${name}: ${violation.id} (${violation.help}) at ${violation.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  }
  const csp = await page.evaluate(() => window.__csp);
  for (const violation of csp) {
    problems.push(`CSP violation on ${name}: ${violation}`);
  }
  shots += 1;
  await page.screenshot({ path: `${artifacts}/${String(shots).padStart(2, '0')}-${name}.png`, fullPage: true });
  checkedPages += 1;
}

function step(text) {
  console.log(`ui: ${text}`);
}

// ---- answering an item through its controls, with the key the staff API gives ----
async function answerWithMouse(page, item, scope) {
  const root = scope || page.locator('.attempt-item');
  const key = item.correct_answer;
  const text = (id) => item.options.find((o) => o.id === id).text;
  switch (item.item_type) {
    case 'multiple_choice':
      await root.getByLabel(text(key), { exact: true }).check();
      break;
    case 'multiple_response':
      for (const id of key) {
        await root.getByLabel(text(id), { exact: true }).check();
      }
      break;
    case 'ordered_response':
      for (let target = 0; target < key.length; target += 1) {
        for (;;) {
          const shown = await root.locator('.ordered-text').allTextContents();
          const at = shown.indexOf(text(key[target]));
          if (at === target) {
            break;
          }
          await root.getByRole('button', { name: `Move "${text(key[target])}" up` }).click();
        }
      }
      break;
    case 'numeric':
      await root.getByLabel('Your answer').fill(String(key));
      break;
    case 'matrix':
      for (const row of item.rows) {
        for (const column of [].concat(key[row.id])) {
          const name = `${row.text}: ${item.columns.find((c) => c.id === column).text}`;
          await root.getByRole(item.scoring_rule === 'plus_minus' ? 'checkbox' : 'radio', { name, exact: true }).check();
        }
      }
      break;
    case 'drop_down_cloze':
      for (const [index, slot] of item.slots.entries()) {
        const option = slot.options.find((o) => o.id === key[slot.id]);
        await root.getByLabel(`Blank ${index + 1} of ${item.slots.length}`).selectOption({ label: option.text });
      }
      break;
    case 'drag_drop_rationale':
      for (const [index, slot] of item.slots.entries()) {
        const option = slot.options.find((o) => o.id === key[slot.id]);
        await root.getByRole('group', { name: `Options for blank ${index + 1}` }).getByRole('button', { name: option.text, exact: true }).click();
      }
      break;
    case 'highlight':
      for (const id of key) {
        await root.getByRole('button', { name: text(id), exact: true }).click();
      }
      break;
    case 'bow_tie':
      await root.getByRole('group', { name: /Condition/ }).getByLabel(text(key.condition), { exact: true }).check();
      for (const id of key.actions) {
        await root.getByRole('group', { name: /Actions/ }).getByLabel(text(id), { exact: true }).check();
      }
      for (const id of key.parameters) {
        await root.getByRole('group', { name: /Parameters/ }).getByLabel(text(id), { exact: true }).check();
      }
      break;
    case 'case_study':
      for (const [index, part] of item.items.entries()) {
        const section = root.locator('.case-part');
        await section.getByRole('heading', { name: `Part ${index + 1}:`, exact: false }).waitFor();
        await answerWithMouse(page, part, section);
        if (index < item.items.length - 1) {
          await root.getByRole('button', { name: 'Next part' }).click();
        }
      }
      break;
    default:
      throw new Error(`no driver for ${item.item_type}`);
  }
}

// ---- answering by keyboard only: focus moves by Tab and Shift+Tab, controls by Space, Enter,
// arrow keys and typing; the page is only read (what has focus, what is shown), never clicked ----

/** What has focus: its tag, type, accessible label, state, group legend, and whether it is in `scope`. */
async function focused(page, scope) {
  return page.evaluate((selector) => {
    const el = document.activeElement;
    if (!el || el === document.body) {
      return { tag: 'body', inScope: false };
    }
    const labelled = el.getAttribute('aria-label') || (el.labels && el.labels.length ? el.labels[0].textContent : '') || el.textContent || '';
    const fieldset = el.closest('fieldset');
    const legend = fieldset && fieldset.querySelector('legend');
    return {
      tag: el.tagName.toLowerCase(),
      type: el.getAttribute('type') || '',
      label: labelled.trim(),
      checked: Boolean(el.checked),
      pressed: el.getAttribute('aria-pressed'),
      legend: legend ? legend.textContent.trim() : '',
      selected: el.tagName === 'SELECT' && el.selectedIndex >= 0 ? el.options[el.selectedIndex].textContent.trim() : '',
      inScope: Boolean(selector && el.closest(selector)),
    };
  }, scope || null);
}

/** Tab forward (then, if need be, back with Shift+Tab) until the focused control has `label`. */
async function tabTo(page, label, tag) {
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let presses = 0; presses < 120; presses += 1) {
      const now = await focused(page);
      if (now.label === label && (!tag || now.tag === tag)) {
        return now;
      }
      await page.keyboard.press(key);
    }
  }
  throw new Error(`keyboard: Tab never reached "${label}"`);
}

/**
 * Tabs through every control inside `scope` once, from the first after the current focus to the
 * last; `act(focus)` operates each by keyboard. Stops when focus leaves the scope.
 */
async function walk(page, scope, act) {
  let inside = false;
  for (let presses = 0; presses < 300; presses += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page, scope);
    if (!now.inScope) {
      if (inside) {
        return;
      }
      continue;
    }
    inside = true;
    await act(now);
  }
  throw new Error(`keyboard: focus never left ${scope}`);
}

/** In a radio group, arrow keys move and check; stop at `wanted` and confirm it with Space. */
async function arrowTo(page, scope, wanted) {
  for (let presses = 0; presses < 12; presses += 1) {
    const now = await focused(page, scope);
    if (now.label === wanted) {
      await page.keyboard.press('Space');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`keyboard: arrow keys never reached "${wanted}"`);
}

async function answerWithKeyboard(page, item, scope) {
  const key = item.correct_answer;
  const text = (id) => item.options.find((o) => o.id === id).text;
  switch (item.item_type) {
    case 'ordered_response': {
      let moved = false;
      for (let target = 0; target < key.length; target += 1) {
        const wanted = text(key[target]);
        for (;;) {
          const shown = await page.locator(`${scope} .ordered-text`).allTextContents();
          if (shown.indexOf(wanted) === target) {
            break;
          }
          await tabTo(page, `Move "${wanted}" up`, 'button');
          await page.keyboard.press('Enter');
          moved = true;
        }
      }
      if (!moved) {
        await tabTo(page, 'Use this order', 'button');
        await page.keyboard.press('Enter');
      }
      return;
    }
    case 'case_study':
      for (const [index, part] of item.items.entries()) {
        await page.locator('.case-part h3', { hasText: `Part ${index + 1}:` }).waitFor();
        await answerWithKeyboard(page, part, '.case-part');
        if (index < item.items.length - 1) {
          await tabTo(page, 'Next part', 'button');
          await page.keyboard.press('Enter');
        }
      }
      return;
    default:
      break;
  }
  const wantedTexts = new Set({
    multiple_response: () => key.map(text),
    highlight: () => key.map(text),
    bow_tie: () => [...key.actions, ...key.parameters].map(text),
  }[item.item_type]?.() || []);
  await walk(page, scope, async (now) => {
    if (now.type === 'radio') {
      let wanted = null;
      if (item.item_type === 'multiple_choice') {
        wanted = text(key);
      } else if (item.item_type === 'bow_tie') {
        wanted = text(key.condition);
      } else if (item.item_type === 'matrix') {
        const row = item.rows.find((r) => now.label.startsWith(`${r.text}: `));
        wanted = `${row.text}: ${item.columns.find((c) => c.id === key[row.id]).text}`;
      }
      await arrowTo(page, scope, wanted);
    } else if (now.type === 'checkbox' && wantedTexts.has(now.label) && !now.checked) {
      await page.keyboard.press('Space');
    } else if (now.tag === 'button' && item.item_type === 'highlight' && wantedTexts.has(now.label) && now.pressed === 'false') {
      await page.keyboard.press('Space');
    } else if (now.tag === 'button' && item.item_type === 'drag_drop_rationale' && now.pressed === 'false') {
      const blank = Number((now.legend.match(/^Options for blank (\d+)$/) || [])[1]);
      const slot = item.slots[blank - 1];
      if (slot && slot.options.find((o) => o.id === key[slot.id]).text === now.label) {
        await page.keyboard.press('Enter');
      }
    } else if (now.tag === 'select' && item.item_type === 'drop_down_cloze') {
      const blank = Number((now.label.match(/^Blank (\d+) of/) || [])[1]);
      const slot = item.slots[blank - 1];
      const wanted = slot.options.find((o) => o.id === key[slot.id]).text;
      for (let presses = 0; presses < 10 && (await focused(page, scope)).selected !== wanted; presses += 1) {
        await page.keyboard.press('ArrowDown');
      }
      assert.equal((await focused(page, scope)).selected, wanted, 'the arrow keys chose the blank\'s option');
    } else if (now.tag === 'input' && now.type === 'text' && item.item_type === 'numeric') {
      await page.keyboard.type(String(key));
    }
  });
}

async function waitSaved(page) {
  await page.locator('.save-status', { hasText: 'All answers saved.' }).waitFor({ timeout: 15000 });
}

// ---- the instructor's item bank: filter, preview, edit, retire, write, export, quiz from picks ----
async function bankSteps(teacher, adminToken, quizItemIds) {
  step('bank: browse with a filter');
  await teacher.getByRole('link', { name: 'Item bank', exact: true }).click();
  await teacher.getByRole('heading', { name: 'Item bank' }).waitFor();
  await teacher.getByText(/\d+ items? match\./).waitFor();
  await checkPage(teacher, 'bank');
  await teacher.getByLabel('Search stems and topics').fill('nurse');
  await teacher.getByLabel('Item type').selectOption('multiple_choice');
  await teacher.getByRole('button', { name: 'Apply filter' }).click();
  const expected = await call('GET', '/items?q=nurse&item_type=multiple_choice&limit=200', adminToken);
  assert.ok(expected.total >= 3, 'at least three multiple-choice items mentioning the nurse in the bank');
  await teacher.getByText(`${expected.total} item${expected.total === 1 ? '' : 's'} match.`).waitFor();
  const rows = teacher.locator('table.bank-list tbody tr');
  assert.equal(await rows.count(), Math.min(20, expected.total), 'one row per matching item on the first page');
  for (const type of await teacher.locator('table.bank-list tbody tr td:nth-child(2)').allTextContents()) {
    assert.equal(type, 'Multiple choice');
  }
  for (const stem of await teacher.locator('table.bank-list tbody th').allTextContents()) {
    assert.ok(expected.items.some((item) => item.question.startsWith(stem.replace(/…$/, ''))), `a listed stem comes from the filtered bank: ${stem}`);
  }
  const idOf = async (row) => decodeURIComponent((await row.getByRole('link', { name: /^Preview/ }).getAttribute('href')).replace('#/bank/item/', ''));
  const firstId = await idOf(rows.nth(0));

  step('bank: preview as a student sees it, with the key beside it');
  await rows.nth(0).getByRole('link', { name: /^Preview/ }).click();
  await teacher.getByRole('heading', { name: 'Item preview' }).waitFor();
  const first = await call('GET', `/items/${encodeURIComponent(firstId)}`, adminToken);
  const keyText = first.options.find((o) => o.id === first.correct_answer).text;
  await teacher.locator('.key-panel').getByText(keyText, { exact: true }).first().waitFor();
  await teacher.locator('.attempt-item').getByLabel(keyText, { exact: true }).check();
  await teacher.getByText(`Your answer in the preview: ${keyText}.`).waitFor();
  await checkPage(teacher, 'bank-preview');

  step('bank: edit an item and see it saved');
  await teacher.getByRole('link', { name: 'Edit this item' }).click();
  await teacher.getByRole('heading', { name: 'Edit item' }).waitFor();
  await checkPage(teacher, 'bank-edit');
  const newRationale = `${first.rationale} Edited in the web UI for the bank test.`;
  await teacher.getByLabel('Rationale', { exact: true }).fill(newRationale);
  await teacher.getByRole('button', { name: 'Save changes' }).click();
  await teacher.getByRole('alert').filter({ hasText: 'Saved: the item passed the quality gate.' }).waitFor();
  const edited = await call('GET', `/items/${encodeURIComponent(firstId)}`, adminToken);
  assert.equal(edited.rationale, newRationale, 'the server stored the edited rationale');
  assert.equal(edited.origin, 'authored');
  await teacher.locator('.key-panel').getByText(newRationale).waitFor();

  step('bank: retire the item, then see it among the retired');
  await teacher.getByRole('button', { name: 'Retire this item' }).click();
  await teacher.getByRole('button', { name: 'Reinstate this item' }).waitFor();
  assert.equal((await call('GET', `/items/${encodeURIComponent(firstId)}`, adminToken)).status, 'retired');

  step('bank: write a new multiple-choice item; the gate refuses a bad one first');
  await teacher.getByRole('link', { name: 'Item bank', exact: true }).click();
  await teacher.getByRole('link', { name: 'Write a new item' }).click();
  await teacher.getByRole('heading', { name: 'Write a new item' }).waitFor();
  const options = ['Stop the transfusion', 'Slow the transfusion rate', 'Recheck vital signs in one hour', 'Offer a warm blanket'];
  const whys = ['Stopping the transfusion limits exposure to the reacting blood product.',
    'Slowing still infuses the product that may be causing the reaction.',
    'Waiting an hour delays treatment of a possible reaction.', 'Warmth treats comfort, not the cause of the chills.'];
  await teacher.getByLabel('Question (stem)').fill('Chills?');
  for (const [index, text] of options.entries()) {
    const letter = 'ABCD'[index];
    await teacher.getByLabel(`Option ${letter}`, { exact: true }).fill(text);
    await teacher.getByLabel(`Rationale for option ${letter}`).fill(whys[index]);
  }
  await teacher.getByLabel('Option A is correct').check();
  await teacher.getByLabel('Rationale', { exact: true }).fill('Chills during a transfusion suggest a reaction: stopping the transfusion comes first.');
  await teacher.getByLabel('Topic').fill('blood transfusion');
  await teacher.getByLabel('Sources, one citation per line').fill('Transfusion policy, School of Nursing skills lab, 2026');
  teacher.expectedHttpErrors = 1;
  await teacher.getByRole('button', { name: 'Add to the bank' }).click();
  const refusal = teacher.getByRole('alert').filter({ hasText: 'The server did not accept the item' });
  await refusal.getByText('stem is too short').waitFor();
  await checkPage(teacher, 'bank-new-refused');
  const stem = 'Which action should the nurse take first when a client receiving a blood transfusion reports chills?';
  await teacher.getByLabel('Question (stem)').fill(stem);
  await teacher.getByRole('button', { name: 'Add to the bank' }).click();
  await teacher.getByRole('alert').filter({ hasText: 'Added to the bank' }).waitFor();
  const authored = await call('GET', '/items?origin=authored&q=transfusion', adminToken);
  assert.ok(authored.items.some((item) => item.question === stem && item.correct_answer === 'A'), 'the new item is in the bank with its key');

  step('bank: the new-item form offers every type, each page accessible');
  await teacher.goto(`${base}/#/bank/new`);
  await teacher.getByRole('heading', { name: 'Write a new item' }).waitFor();
  const types = await teacher.getByLabel('Item type', { exact: true }).locator('option').evaluateAll((options) => options.map((o) => o.value));
  assert.deepEqual(types, ['multiple_choice', 'multiple_response', 'ordered_response', 'numeric', 'matrix',
    'drop_down_cloze', 'drag_drop_rationale', 'highlight', 'bow_tie', 'case_study']);
  for (const type of types) {
    await teacher.goto(`${base}/#/bank/new?type=${type}`);
    await teacher.getByRole('button', { name: 'Add to the bank' }).waitFor();
    assert.equal(await teacher.getByLabel('Item type', { exact: true }).inputValue(), type);
    await checkPage(teacher, `bank-new-${type}`);
  }

  step('bank: write an ordered-response item; the gate refuses it first, then takes it');
  await teacher.goto(`${base}/#/bank/new?type=ordered_response`);
  const steps = [
    ['Verify the client\'s identity with two identifiers', 'Two identifiers prevent giving the blood to the wrong client.'],
    ['Obtain baseline vital signs', 'A baseline makes a reaction visible when vital signs change later.'],
    ['Start the infusion slowly for the first 15 minutes', 'Most severe reactions start early, when little blood has run in.'],
    ['Stay with the client and watch for a reaction', 'The nurse sees a reaction at once and can stop the transfusion.'],
  ];
  // Written with the third and fourth steps swapped, then put right with the Move buttons.
  const typed = [steps[0], steps[1], steps[3], steps[2]];
  for (const [index, [text, why]] of typed.entries()) {
    await teacher.getByLabel(`Step ${index + 1}`, { exact: true }).fill(text);
    await teacher.getByLabel(`Rationale for step ${index + 1}`).fill(why);
  }
  await teacher.getByRole('button', { name: 'Move step 4 up' }).click();
  assert.equal(await teacher.getByLabel('Step 3', { exact: true }).inputValue(), steps[2][0], 'the step moved up');
  assert.equal(await teacher.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Move step 3 up', 'focus stays on the moved step');
  await teacher.getByLabel('Question (stem)').fill('Put the steps of starting a blood transfusion in order');
  await teacher.getByLabel('Rationale', { exact: true }).fill('Identity and a baseline come first; the first 15 minutes are slow and watched closely.');
  await teacher.getByLabel('Topic').fill('blood transfusion');
  await teacher.getByLabel('Sources, one citation per line').fill('Transfusion policy, School of Nursing skills lab, 2026');
  teacher.expectedHttpErrors = 1;
  await teacher.getByRole('button', { name: 'Add to the bank' }).click();
  await teacher.getByRole('alert').filter({ hasText: 'The server did not accept the item' })
    .getByText('stem must end in a question or a clear instruction').waitFor();
  const orderedStem = 'In which order should the nurse carry out these steps when starting a blood transfusion?';
  await teacher.getByLabel('Question (stem)').fill(orderedStem);
  await teacher.getByRole('button', { name: 'Add to the bank' }).click();
  await teacher.getByRole('alert').filter({ hasText: 'Added to the bank' }).waitFor();
  const orderedId = decodeURIComponent(teacher.url().split('#/bank/item/')[1]);
  const ordered = await call('GET', `/items/${encodeURIComponent(orderedId)}`, adminToken);
  assert.equal(ordered.item_type, 'ordered_response');
  assert.equal(ordered.question, orderedStem);
  const stepText = (id) => ordered.options.find((o) => o.id === id).text;
  assert.deepEqual(ordered.correct_answer.map(stepText), steps.map(([text]) => text), 'the key is the order written');
  assert.notDeepEqual(ordered.options.map((o) => o.text), steps.map(([text]) => text), 'students do not see the steps in order');
  assert.equal(ordered.option_rationales[ordered.correct_answer[0]], steps[0][1]);
  const listed = await call('GET', '/items?origin=authored&item_type=ordered_response', adminToken);
  assert.ok(listed.items.some((item) => item.id === orderedId), 'the new item is listed in the bank');
  await checkPage(teacher, 'bank-ordered-added');

  step('bank: write a case study through the page: its record and six multiple-choice parts');
  await teacher.goto(`${base}/#/bank/new?type=case_study`);
  await teacher.getByLabel('Instruction (stem)').fill('Read the case and answer the six questions that follow as the situation unfolds.');
  await teacher.getByLabel('Admission record (the first tab of the client record)')
    .fill('A 68-year-old client is admitted after a fall at home. History of hypertension; lives alone.');
  const cues = ['pulse', 'pressure', 'glucose', 'sodium', 'oxygen', 'temperature'];
  for (let part = 1; part <= 6; part += 1) {
    const box = teacher.getByRole('group', { name: new RegExp(`^Part ${part}: `) });
    const cue = cues[part - 1];
    if (part > 1) {
      await box.getByLabel(`Part ${part} new information (a new tab of the record)`).fill(`Day ${part} notes: the client's ${cue} reading changed since the last check.`);
    }
    await box.getByLabel(`Part ${part} question`).fill(`Which action should the nurse take about the ${cue} reading on day ${part}?`);
    const actions = ['Recheck it in fifteen minutes', 'Report it to the provider now', 'Document it and continue care', 'Ask the client to rest in bed'];
    for (const [index, action] of actions.entries()) {
      const letter = 'ABCD'[index];
      await box.getByLabel(`Option ${letter}`, { exact: true }).fill(action);
      await box.getByLabel(`Rationale for option ${letter}`).fill(`${action}: the reason this fits or does not fit day ${part}.`);
    }
    await box.getByLabel(`Option ${'ABCD'[part % 4]} is correct`).check();
    await box.getByLabel(`Part ${part} rationale`).fill(`On day ${part} the ${cue} reading calls for the keyed action before anything else.`);
  }
  await teacher.getByLabel('Rationale for the whole case', { exact: true }).fill('The case follows the client from recognising cues to evaluating outcomes after a fall.');
  await teacher.getByLabel('Topic').fill('falls in older adults');
  await teacher.getByLabel('Sources, one citation per line').fill('Falls prevention policy, School of Nursing skills lab, 2026');
  await teacher.getByRole('button', { name: 'Add to the bank' }).click();
  await teacher.getByRole('alert').filter({ hasText: 'Added to the bank' }).waitFor();
  const caseId = decodeURIComponent(teacher.url().split('#/bank/item/')[1]);
  const written = await call('GET', `/items/${encodeURIComponent(caseId)}`, adminToken);
  assert.equal(written.item_type, 'case_study');
  assert.equal(written.items.length, 6);
  assert.deepEqual(written.items.map((part) => part.correct_answer), [1, 2, 3, 4, 5, 6].map((part) => 'ABCD'[part % 4]));
  assert.deepEqual(Object.keys(written.correct_answer).sort(), written.items.map((part) => part.id).sort());
  assert.equal(new Set(written.items.map((part) => part.id)).size, 6, 'each part has its own id');
  assert.ok(written.items.every((part) => /^case-[0-9a-f]{16}-[1-6]$/.test(part.id)), 'part ids are not shared with other cases');
  assert.equal(written.max_points, 6);
  await checkPage(teacher, 'bank-case-added');

  step('bank: change a matrix row\'s key column in the editor; the API shows the change');
  // A generated matrix the quizzes here do not use: generating one stores it in the bank.
  const editable = (item) => !quizItemIds.includes(item.id) && item.columns.length >= 2 && item.rows.length >= 3;
  let matrixItem;
  for (const topic of ['heart failure', 'pneumonia', 'diabetic ketoacidosis', 'copd', 'hypertension']) {
    const generated = await call('POST', '/nclex/generate', adminToken, { topic, question_count: 5, item_types: ['matrix'] });
    matrixItem = generated.questions.find(editable);
    if (matrixItem) break;
  }
  assert.ok(matrixItem, 'a generated matrix item in the bank that no quiz here uses');
  const rowKey = matrixItem.correct_answer.R1;
  const others = Object.entries(matrixItem.correct_answer).filter(([row]) => row !== 'R1').map(([, column]) => column);
  // A new column for row 1 that still leaves two different answers among the rows.
  const newColumn = matrixItem.columns.map((c) => c.id).find((id) => id !== rowKey && new Set([...others, id]).size >= 2);
  await teacher.goto(`${base}/#/bank/item/${encodeURIComponent(matrixItem.id)}/edit`);
  await teacher.getByRole('heading', { name: 'Edit item' }).waitFor();
  await checkPage(teacher, 'bank-edit-matrix');
  const columnText = matrixItem.columns.find((c) => c.id === newColumn).text;
  await teacher.getByLabel('Correct column for row 1').selectOption({ label: columnText });
  const rowText = `${matrixItem.rows[0].text} (edited)`;
  await teacher.getByLabel('Row 1', { exact: true }).fill(rowText);
  await teacher.getByRole('button', { name: 'Save changes' }).click();
  await teacher.getByRole('alert').filter({ hasText: 'Saved: the item passed the quality gate.' }).waitFor();
  const matrixAfter = await call('GET', `/items/${encodeURIComponent(matrixItem.id)}`, adminToken);
  assert.equal(matrixAfter.correct_answer.R1, newColumn, 'the server stored row 1\'s new key');
  assert.equal(matrixAfter.rows[0].text, rowText);
  assert.deepEqual(matrixAfter.columns, matrixItem.columns, 'the columns are unchanged');
  assert.equal(matrixAfter.origin, 'authored');

  step('bank: an item of every type opened in the editor and saved unchanged comes back the same');
  const typeFields = ['options', 'correct_answer', 'option_rationales', 'rows', 'columns', 'slots', 'template', 'wells',
    'units', 'tolerance', 'calculation', 'max_points', 'scoring_rule'];
  const sameParts = (before, after, what) => {
    if (before.item_type === 'ordered_response') {
      // The editor shows students the steps in a new shuffle; the order of texts is the key.
      const texts = (item) => item.correct_answer.map((id) => item.options.find((o) => o.id === id).text);
      assert.deepEqual(texts(after), texts(before), `${what}: the same steps in the same order`);
      return;
    }
    for (const name of typeFields) {
      assert.deepEqual(after[name], before[name], `${what}: ${name} unchanged`);
    }
  };
  for (const id of quizItemIds) {
    const before = await call('GET', `/items/${encodeURIComponent(id)}`, adminToken);
    await teacher.goto(`${base}/#/bank/item/${encodeURIComponent(id)}/edit`);
    await teacher.getByRole('heading', { name: 'Edit item' }).waitFor();
    await teacher.getByRole('button', { name: 'Save changes' }).click();
    await teacher.getByRole('alert').filter({ hasText: 'Saved: the item passed the quality gate.' }).waitFor();
    const after = await call('GET', `/items/${encodeURIComponent(id)}`, adminToken);
    assert.equal(after.question, before.question);
    if (before.item_type === 'case_study') {
      assert.equal(after.scenario, before.scenario);
      assert.equal(after.items.length, before.items.length);
      before.items.forEach((part, index) => {
        const again = after.items[index];
        for (const name of ['id', 'item_type', 'question', 'exhibit', 'rationale', 'client_need', 'ncjmm_function', 'topic']) {
          assert.deepEqual(again[name], part[name], `case part ${index + 1}: ${name} unchanged`);
        }
        sameParts(part, again, `case part ${index + 1}`);
      });
    } else {
      sameParts(before, after, before.item_type);
    }
  }

  step('bank: export the filter in each format (fetch + Blob download)');
  await teacher.goto(`${base}/#/bank?item_type=multiple_choice`);
  await teacher.getByRole('heading', { name: 'Export for an LMS' }).waitFor();
  const starts = { qti21: [0x50, 0x4b], moodle: [...Buffer.from('<?xml')], gift: [...Buffer.from('$CATEGORY')] };
  for (const [format, magic] of Object.entries(starts)) {
    await teacher.getByLabel('Format').selectOption(format);
    const [download] = await Promise.all([
      teacher.waitForEvent('download'),
      teacher.getByRole('button', { name: 'Download export' }).click(),
    ]);
    const bytes = readFileSync(await download.path());
    assert.deepEqual([...bytes.subarray(0, magic.length)], magic, `${format} export starts like its format`);
    assert.ok(!download.url().includes('token') && download.url().startsWith('blob:'), 'the download is a Blob, no token in a URL');
    await teacher.getByText(/Downloaded bsn-items-.*: \d+ items? exported/).waitFor();
  }

  step('bank: pick two items and set a quiz from them');
  await teacher.goto(`${base}/#/bank?q=nurse&item_type=multiple_choice`);
  const list = teacher.locator('table.bank-list tbody tr');
  await list.first().waitFor();
  const picked = [await idOf(list.nth(0)), await idOf(list.nth(1))];
  assert.ok(!picked.includes(firstId), 'the retired item is not listed among active ones');
  await list.nth(0).getByRole('checkbox').check();
  await list.nth(1).getByRole('checkbox').check();
  await teacher.getByRole('heading', { name: 'Quiz from picked items (2)' }).waitFor();
  await teacher.setViewportSize({ width: 390, height: 844 });
  await checkPage(teacher, 'phone-bank');
  await teacher.setViewportSize({ width: 1280, height: 900 });
  await teacher.getByLabel('Quiz title').fill('Picked from the bank');
  await teacher.getByLabel('UI cohort').check();
  await teacher.getByRole('button', { name: 'Create quiz from picked items' }).click();
  await teacher.getByRole('heading', { name: 'Analysis: Picked from the bank' }).waitFor();
  const quizId = Number(teacher.url().match(/#\/quizzes\/(\d+)\/analysis/)[1]);
  const quiz = await call('GET', `/quizzes/${quizId}`, adminToken);
  assert.deepEqual(quiz.items.map((item) => item.id), picked, 'the quiz holds the two picked items in order');
  const assigned = await call('GET', '/quizzes', await login(STUDENT.username, STUDENT.password));
  assert.ok(assigned.quizzes.some((q) => q.title === 'Picked from the bank'), 'the student sees the quiz made from picks');
}

// ---- admins: roles, cohorts and membership, enrolment codes, the audit log; instructors:
// competency evidence and NCLEX outcomes ----
async function signInAs(page, who) {
  await page.goto(`${base}/`);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /Welcome/ }).waitFor();
}

async function adminRecordsSteps({ admin, teacher, adminToken, studentId, cohortId }) {
  step('admin changes a user\'s role');
  const switcher = { username: 'ui-switch', password: 'ui test switch password 1' };
  const created = await call('POST', '/auth/users', adminToken, { ...switcher, role: 'student' });
  await admin.getByRole('link', { name: 'Users', exact: true }).click();
  await admin.getByRole('rowheader', { name: switcher.username }).waitFor();
  await admin.getByLabel(`Role of ${switcher.username}`, { exact: true }).selectOption('instructor');
  await admin.getByRole('button', { name: `Save role of ${switcher.username}` }).click();
  await admin.getByRole('alert').filter({ hasText: `${switcher.username} is now instructor` }).waitFor();
  assert.equal((await call('GET', `/auth/users/${created.user.id}`, adminToken)).role, 'instructor', 'the server recorded the new role');
  assert.equal(created.user.must_change_password, true, 'an account an admin makes must choose its password');

  step('admin creates a cohort, adds a student, shows and rotates its enrolment code');
  await admin.getByRole('link', { name: 'Membership', exact: true }).click();
  await admin.getByRole('heading', { name: 'Create a cohort' }).waitFor();
  await checkPage(admin, 'cohort-admin');
  await admin.getByLabel('Cohort name').fill('UI cohort two');
  await admin.getByRole('button', { name: 'Create cohort' }).click();
  await admin.getByRole('heading', { name: 'Members: UI cohort two' }).waitFor();
  await admin.getByLabel('Person to add').selectOption({ label: `UI Student (${STUDENT.username}, student)` });
  await admin.getByRole('button', { name: 'Add to cohort' }).click();
  await admin.getByRole('table').getByRole('rowheader', { name: 'UI Student' }).waitFor();
  const newCohortId = Number(admin.url().match(/#\/cohorts\/(\d+)\/members/)[1]);
  const members = (await call('GET', `/cohorts/${newCohortId}`, adminToken)).members;
  assert.ok(members.some((m) => m.user_id === studentId && m.role === 'student'), 'the server recorded the membership');
  const firstCode = await admin.locator('.enrolment-code code').textContent();
  await admin.getByRole('button', { name: 'Rotate the code' }).click();
  await admin.waitForFunction((old) => {
    const shown = document.querySelector('.enrolment-code code');
    return shown && shown.textContent !== old;
  }, firstCode);
  const code = await admin.locator('.enrolment-code code').textContent();
  assert.equal((await call('GET', `/cohorts/${newCohortId}/enrolment-code`, adminToken)).code, code, 'the page shows the current code');
  await checkPage(admin, 'cohort-members');

  step('a student joins the cohort with its enrolment code');
  const joiner = { username: 'ui-joiner', password: 'ui test joiner password 1' };
  const joinerUser = await call('POST', '/auth/users', adminToken, { ...joiner, role: 'student', display_name: 'UI Joiner' });
  await firstChange(joiner.username, joiner.password);
  const joining = await newPage();
  await signInAs(joining, joiner);
  await joining.getByLabel('Enrolment code').fill(code.toLowerCase());
  await joining.getByRole('button', { name: 'Join cohort' }).click();
  await joining.getByRole('alert').filter({ hasText: 'You are in the cohort UI cohort two' }).waitFor();
  await checkPage(joining, 'student-joined');
  const after = (await call('GET', `/cohorts/${newCohortId}`, adminToken)).members;
  assert.ok(after.some((m) => m.user_id === joinerUser.user.id), 'the server recorded the join');

  step('admin reads the audit log and sees those entries');
  await admin.getByRole('link', { name: 'Audit log', exact: true }).click();
  await admin.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  for (const action of ['Role changed', 'Cohort created', 'Cohort member added', 'Enrolment code rotated', 'Cohort joined']) {
    await admin.getByRole('rowheader', { name: action, exact: true }).first().waitFor();
  }
  await checkPage(admin, 'audit');
  await admin.getByLabel('Action').selectOption('role_changed');
  await admin.getByRole('button', { name: 'Show' }).click();
  await admin.getByText(/entr(y|ies), newest first, action Role changed/).waitFor();
  const shownActions = await admin.locator('table.data tbody th').allTextContents();
  assert.ok(shownActions.length >= 1 && shownActions.every((a) => a === 'Role changed'), 'the filter shows only role changes');

  step('system page says plainly that TLS is off, with disk and version');
  await admin.getByRole('link', { name: 'System', exact: true }).click();
  await admin.locator('.tls-status', { hasText: 'TLS off' }).waitFor();
  await admin.getByText(/MiB free/).first().waitFor();

  step('instructor opens a student from the dashboard and records a clinical evaluation');
  await teacher.goto(`${base}/#/cohorts/${cohortId}`);
  await teacher.getByRole('link', { name: 'UI Student', exact: true }).click();
  await teacher.getByRole('heading', { name: 'UI Student', level: 1 }).waitFor();
  await teacher.getByRole('heading', { name: 'AACN competency profile' }).waitFor();
  await checkPage(teacher, 'student-record');
  const competency = await teacher.getByLabel('Competency', { exact: true }).inputValue();
  await teacher.getByLabel('Kind').selectOption('clinical_evaluation');
  await teacher.getByLabel('Score (0 to 100)').fill('85');
  await teacher.getByLabel('Note (optional)').fill('Safe medication administration on the ward');
  await teacher.getByRole('button', { name: 'Record', exact: true }).click();
  await teacher.getByRole('alert').filter({ hasText: `Recorded. ${competency} now rests on` }).waitFor();
  await teacher.getByRole('region', { name: 'Recorded evidence' }).getByRole('rowheader', { name: competency, exact: true }).waitFor();
  const profile = await call('GET', `/assessment/competency/profile/${studentId}`, adminToken);
  assert.equal(profile.evidence_by_source.clinical_evaluation, 1, 'the server stored the evaluation');
  const row = profile.competencies.find((c) => c.competency.id === competency);
  const shownRow = teacher.getByRole('region', { name: 'Competency profile' }).getByRole('row').filter({ has: teacher.getByRole('rowheader', { name: new RegExp(`^${competency.replace('.', '\\.')}( |$)`) }) });
  await shownRow.getByText(`${row.proficiency.evidence_count} piece`).waitFor();

  step('instructor records an NCLEX outcome and opens the accuracy report');
  await teacher.getByRole('link', { name: 'NCLEX outcomes', exact: true }).click();
  await teacher.getByRole('heading', { name: 'Record a result' }).waitFor();
  await teacher.getByLabel('Graduate').selectOption({ label: `UI Student (${STUDENT.username})` });
  await teacher.getByLabel('Pass', { exact: true }).check();
  const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
  await teacher.getByLabel('Exam date').fill(yesterday);
  await teacher.getByRole('button', { name: 'Record result' }).click();
  await teacher.getByRole('alert').filter({ hasText: `Recorded: UI Student passed on ${yesterday}` }).waitFor();
  await teacher.getByRole('region', { name: 'Recorded NCLEX results' }).getByRole('rowheader', { name: 'UI Student' }).waitFor();
  await teacher.getByRole('heading', { name: 'How well readiness predicted the results' }).waitFor();
  const accuracy = await call('GET', '/analytics/readiness/accuracy', await login(INSTRUCTOR.username, INSTRUCTOR.password));
  assert.equal(accuracy.n + accuracy.without_prediction, 1, 'one recorded result');
  await teacher.getByText(`${accuracy.n} (${accuracy.passes} passed, ${accuracy.failures} failed)`).waitFor();
  await teacher.getByRole('table', { name: /Reliability/ }).waitFor();
  await checkPage(teacher, 'outcomes');

  step('phone width: the audit log and the outcomes page');
  const phone = await newPage({ width: 390, height: 844 });
  await signInAs(phone, { username: 'admin', password: ADMIN_PASSWORD });
  await phone.goto(`${base}/#/audit`);
  await phone.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  await checkPage(phone, 'phone-audit');
  await phone.goto(`${base}/#/outcomes`);
  await phone.getByRole('heading', { name: 'Record a result' }).waitFor();
  await checkPage(phone, 'phone-outcomes');
}

try {
  // 1. The admin's first sign-in forces a password change.
  step('admin signs in and changes the generated password');
  const admin = await newPage();
  await admin.goto(`${base}/`);
  await admin.getByRole('heading', { name: 'Sign in' }).waitFor();
  await checkPage(admin, 'sign-in');
  await admin.getByLabel('Username').fill('admin');
  await admin.getByLabel('Password', { exact: true }).fill('wrong password');
  admin.expectedHttpErrors = 1;
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.getByRole('alert').filter({ hasText: 'not correct' }).waitFor();
  await admin.getByLabel('Password', { exact: true }).fill(initialAdminPassword);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await checkPage(admin, 'password-change');
  await admin.getByLabel('Current password').fill(initialAdminPassword);
  await admin.getByLabel('New password', { exact: true }).fill(ADMIN_PASSWORD);
  await admin.getByLabel('New password again').fill(ADMIN_PASSWORD);
  await admin.getByRole('button', { name: 'Change password' }).click();
  await admin.getByRole('heading', { name: /Welcome/ }).waitFor();
  await checkPage(admin, 'staff-home');
  const adminToken = await login('admin', ADMIN_PASSWORD);

  // 2. Set-up through the API: a student in a cohort, and a quiz with one item of every type.
  step('set-up: student, cohort, one bank item of each type, a quiz assigned to the cohort');
  const student = await call('POST', '/auth/users', adminToken, { ...STUDENT, role: 'student', display_name: 'UI Student' });
  await firstChange(STUDENT.username, STUDENT.password);
  const cohort = await call('POST', '/cohorts', adminToken, { name: 'UI cohort' });
  const cohortId = cohort.id ?? cohort.cohort?.id;
  await call('PUT', `/cohorts/${cohortId}/members/${student.user.id}`, adminToken, { role: 'student' });
  const wanted = [
    ['multiple_choice', 'heart failure'], ['multiple_response', 'heart failure'], ['ordered_response', 'maslow'],
    ['numeric', 'dosage'], ['matrix', 'heart failure'], ['drop_down_cloze', 'heart failure'],
    ['drag_drop_rationale', 'heart failure'], ['highlight', 'heart failure'], ['bow_tie', 'heart failure'],
    ['case_study', 'preeclampsia'],
  ];
  const itemIds = [];
  for (const [type, topic] of wanted) {
    const generated = await call('POST', '/nclex/generate', adminToken, { topic, question_count: 1, item_types: [type] });
    assert.equal(generated.questions.length, 1, `one ${type} item on ${topic}`);
    itemIds.push(generated.questions[0].id);
  }
  const quiz = await call('POST', '/quizzes', adminToken, {
    title: 'Every item type', item_ids: itemIds, cohort_ids: [cohortId], shuffle_options: true,
  });
  const quizId = quiz.id;
  const keyboardQuiz = await call('POST', '/quizzes', adminToken, {
    title: 'Every item type by keyboard', item_ids: itemIds, cohort_ids: [cohortId], shuffle_options: true,
  });
  const keyed = await call('GET', `/quizzes/${quizId}`, adminToken);
  const byId = new Map(keyed.items.map((item) => [item.id, item]));

  // 3. The student takes the quiz: every type with the mouse, multiple choice by keyboard only.
  step('student signs in and opens the assigned quiz');
  const page = await newPage();
  await page.goto(`${base}/`);
  await page.getByLabel('Username').fill(STUDENT.username);
  await page.getByLabel('Password', { exact: true }).fill(STUDENT.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /Welcome/ }).waitFor();
  await checkPage(page, 'student-home');
  await page.getByRole('link', { name: 'My quizzes' }).click();
  await page.getByRole('rowheader', { name: 'Every item type', exact: true }).waitFor();
  await checkPage(page, 'quizzes');
  await page.getByRole('button', { name: 'Start or resume Every item type', exact: true }).click();
  await page.getByRole('heading', { name: /Question 1 of 10/ }).waitFor();
  const attemptId = Number(page.url().match(/#\/attempt\/(\d+)/)[1]);

  for (let position = 1; position <= 10; position += 1) {
    await page.getByRole('heading', { name: new RegExp(`Question ${position} of 10`) }).waitFor();
    const shownType = (await page.locator('.attempt-item .item').first().getAttribute('class')).replace('item item-', '');
    const attempt = await call('GET', `/attempts/${attemptId}`, await login(STUDENT.username, STUDENT.password));
    const item = byId.get(attempt.items[position - 1].id);
    assert.equal(item.item_type, shownType);
    if (item.item_type === 'multiple_choice') {
      step('multiple choice answered with the keyboard only');
      const options = await page.locator('.attempt-item .option label').allTextContents();
      const target = options.indexOf(item.options.find((o) => o.id === item.correct_answer).text);
      await page.locator('.attempt-item input[type=radio]').first().focus();
      await page.keyboard.press('Space');
      for (let i = 0; i < target; i += 1) {
        await page.keyboard.press('ArrowDown');
      }
    } else {
      step(`${item.item_type} answered with the mouse`);
      await answerWithMouse(page, item);
    }
    await waitSaved(page);
    await checkPage(page, `player-${item.item_type}`);
    if (position === 5) {
      step('reload mid-attempt: the answers and the place come back');
      await page.getByRole('button', { name: 'Flag for review' }).click();
      await waitSaved(page);
      await page.reload();
      await page.getByRole('heading', { name: /Question 5 of 10/ }).waitFor();
      await page.getByRole('button', { name: 'Flagged for review' }).waitFor();
      assert.ok(await page.locator('.map-button.answered').count() >= 5, 'answered questions are marked after the reload');
    }
    if (position < 10) {
      await page.getByRole('button', { name: 'Next', exact: true }).click();
    }
  }

  step('submit and read the rationales');
  await page.getByRole('button', { name: 'Review and submit' }).click();
  await page.getByRole('dialog').getByText('Every question is answered; 1 is flagged for review.').waitFor();
  await page.getByRole('dialog').getByRole('button', { name: 'Submit' }).click();
  await page.getByRole('heading', { name: 'Result' }).waitFor();
  await page.getByText(/Score: \d+ of \d+ points/).waitFor();
  const studentToken = await login(STUDENT.username, STUDENT.password);
  const review = await call('GET', `/attempts/${attemptId}/review`, studentToken);
  for (const entry of review.items) {
    assert.equal(entry.points, entry.max_points, `${entry.item.item_type}: the key entered in the UI scored full marks`);
  }
  assert.equal(review.score, review.max_score);
  await page.getByText(`Score: ${review.score} of ${review.max_score} points`).waitFor();
  const details = page.locator('details.option-rationales').first();
  await details.locator('summary').click();
  await details.locator('li').first().waitFor();
  assert.ok(await page.locator('.rationale').count() >= 10, 'a rationale for every question');
  await checkPage(page, 'review');

  // 3b. The same ten types again, answered with the keyboard only: Tab and Shift+Tab move focus,
  // Space, Enter, the arrow keys and typing operate the controls, and nothing is clicked.
  step('a second quiz with every type, answered with the keyboard only');
  await page.goto(`${base}/#/quizzes`);
  await page.getByRole('rowheader', { name: 'Every item type by keyboard' }).waitFor();
  await tabTo(page, 'Start or resume Every item type by keyboard', 'button');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: /Question 1 of 10/ }).waitFor();
  const keyboardAttemptId = Number(page.url().match(/#\/attempt\/(\d+)/)[1]);
  const keyboardAttempt = await call('GET', `/attempts/${keyboardAttemptId}`, studentToken);
  for (let position = 1; position <= 10; position += 1) {
    await page.getByRole('heading', { name: new RegExp(`Question ${position} of 10`) }).waitFor();
    const item = byId.get(keyboardAttempt.items[position - 1].id);
    step(`${item.item_type} answered with the keyboard only`);
    await answerWithKeyboard(page, item, '.attempt-item .item');
    await waitSaved(page);
    if (position < 10) {
      await tabTo(page, 'Next', 'button');
      await page.keyboard.press('Enter');
    }
  }
  await tabTo(page, 'Review and submit', 'button');
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').getByText('Every question is answered.').waitFor();
  assert.equal((await focused(page)).label, 'Submit', 'the dialog puts focus on its Submit button');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Result' }).waitFor();
  const keyboardReview = await call('GET', `/attempts/${keyboardAttemptId}/review`, studentToken);
  assert.equal(keyboardReview.items.length, 10);
  for (const entry of keyboardReview.items) {
    assert.equal(entry.points, entry.max_points, `${entry.item.item_type}: the key entered by keyboard scored full marks`);
  }
  assert.equal(keyboardReview.score, keyboardReview.max_score);

  // 4. Self-practice: start, answer, sign-out keeps nothing, and the score the server recorded.
  step('self-practice on a topic, then an unknown topic');
  await page.getByRole('link', { name: 'Practice', exact: true }).click();
  await page.getByRole('heading', { name: 'Practice' }).waitFor();
  await checkPage(page, 'practice-form');
  await page.getByLabel('Topic (optional)').fill('no such topic zzzz');
  page.expectedHttpErrors = 1;
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('alert').filter({ hasText: 'no topic matches' }).waitFor();
  await page.getByLabel('Topic (optional)').fill('heart failure');
  await page.getByLabel('Number of questions').fill('3');
  await page.getByLabel('Multiple choice', { exact: true }).check();
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('heading', { name: /Question 1 of 3/ }).waitFor({ timeout: 60000 });
  await page.locator('.attempt-item input').first().check();
  await waitSaved(page);
  await page.getByRole('button', { name: 'Review and submit' }).click();
  await page.getByRole('dialog').getByText('2 questions are not answered.').waitFor();
  await page.getByRole('dialog').getByRole('button', { name: 'Submit' }).click();
  await page.getByRole('heading', { name: 'Result' }).waitFor();

  step('adaptive exam (short), answered with the keys, then its result and readiness');
  await page.getByRole('link', { name: 'Adaptive exam', exact: true }).click();
  await page.getByLabel('Length').selectOption('short');
  await page.getByRole('button', { name: 'Start or resume' }).click();
  const resultHeading = page.getByRole('heading', { name: 'Exam result' });
  for (let answered = 0; answered <= 40; answered += 1) {
    await page.locator('.item-heading').or(resultHeading).first().waitFor({ timeout: 180000 });
    if (await resultHeading.count()) {
      break;
    }
    const view = await call('POST', '/cat/sessions', studentToken, {});
    const item = await call('GET', `/items/${encodeURIComponent(view.item.id)}`, adminToken);
    const before = await page.locator('.item-heading').textContent();
    await answerWithMouse(page, item, page.locator('.attempt-item'));
    if (answered === 0) {
      await checkPage(page, 'exam-item');
    }
    await page.getByRole('button', { name: 'Submit answer' }).click();
    await page.waitForFunction((previous) => {
      const heading = document.querySelector('.item-heading');
      return !heading || heading.textContent !== previous;
    }, before);
  }
  await resultHeading.waitFor();
  await page.getByText('Above the passing standard').first().waitFor();
  await checkPage(page, 'exam-result');
  await page.getByRole('link', { name: 'See your readiness' }).click();
  await page.getByText(/Estimated probability of passing: /).waitFor();
  await checkPage(page, 'readiness');

  step('phone width');
  const phone = await newPage({ width: 390, height: 844 });
  await phone.goto(`${base}/`);
  await phone.getByLabel('Username').fill(STUDENT.username);
  await phone.getByLabel('Password', { exact: true }).fill(STUDENT.password);
  await phone.getByRole('button', { name: 'Sign in' }).click();
  await phone.getByRole('heading', { name: /Welcome/ }).waitFor();
  await checkPage(phone, 'phone-student-home');
  await phone.goto(`${base}/#/review/${attemptId}`);
  await phone.getByRole('heading', { name: 'Result' }).waitFor();
  await checkPage(phone, 'phone-review');

  step('sign out; a protected page then asks to sign in and returns there');
  await phone.getByRole('button', { name: 'Sign out' }).click();
  await phone.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(await phone.evaluate(() => window.localStorage.getItem('bsn.session')), null, 'no token kept after sign-out');
  await phone.goto(`${base}/#/quizzes`);
  await phone.getByRole('heading', { name: 'Sign in' }).waitFor();
  await phone.getByLabel('Username').fill(STUDENT.username);
  await phone.getByLabel('Password', { exact: true }).fill(STUDENT.password);
  await phone.getByRole('button', { name: 'Sign in' }).click();
  await phone.getByRole('heading', { name: 'My quizzes' }).waitFor();

  // 5. The admin creates an instructor in the page and backs up now.
  step('admin creates an instructor and triggers a backup');
  await admin.getByRole('link', { name: 'Users', exact: true }).click();
  await admin.getByRole('heading', { name: 'Create a user' }).waitFor();
  await admin.getByLabel('Username').fill(INSTRUCTOR.username);
  await admin.getByLabel('Display name').fill('UI Instructor');
  await admin.getByLabel('Role', { exact: true }).selectOption('instructor');
  await admin.getByLabel('Initial password').fill(INSTRUCTOR.password);
  await admin.getByRole('button', { name: 'Create user' }).click();
  await admin.getByRole('rowheader', { name: INSTRUCTOR.username }).waitFor();
  await checkPage(admin, 'admin-users');
  await admin.getByRole('link', { name: 'System', exact: true }).click();
  await admin.getByText('Status: healthy').waitFor();
  await admin.getByRole('button', { name: 'Back up now' }).click();
  await admin.locator('.last-backup', { hasText: 'bsn-knowledge-' }).waitFor({ timeout: 30000 });
  const backups = await call('GET', '/admin/backups', adminToken);
  assert.equal(backups.backups.length, 1, 'the button made one backup file');
  await checkPage(admin, 'admin-system');
  const instructor = (await call('GET', '/auth/users', adminToken)).find((u) => u.username === INSTRUCTOR.username);
  await call('PUT', `/cohorts/${cohortId}/members/${instructor.id}`, adminToken, { role: 'instructor' });

  // 6. The instructor reads the cohort dashboard, sets and assigns a quiz, reads item analysis.
  step('instructor: cohort dashboard, a new quiz from a bank filter, item analysis');
  const teacher = await newPage();
  await teacher.goto(`${base}/`);
  await teacher.getByLabel('Username').fill(INSTRUCTOR.username);
  await teacher.getByLabel('Password', { exact: true }).fill(INSTRUCTOR.password);
  await teacher.getByRole('button', { name: 'Sign in' }).click();
  step('instructor: the password the admin set must be changed at first sign-in');
  await teacher.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await teacher.getByLabel('Current password').fill(INSTRUCTOR.password);
  INSTRUCTOR.password = 'ui test instructor own password 2';
  await teacher.getByLabel('New password', { exact: true }).fill(INSTRUCTOR.password);
  await teacher.getByLabel('New password again').fill(INSTRUCTOR.password);
  await teacher.getByRole('button', { name: 'Change password' }).click();
  await teacher.getByRole('heading', { name: /Welcome/ }).waitFor();
  await teacher.getByRole('link', { name: 'Cohorts', exact: true }).click();
  await teacher.getByRole('link', { name: 'Dashboard of UI cohort' }).click();
  await teacher.getByRole('heading', { name: 'UI cohort' }).waitFor();
  await teacher.getByRole('rowheader', { name: 'UI Student' }).waitFor();
  await teacher.getByRole('img', { name: 'Accuracy by client need (whole cohort)' }).waitFor();
  await checkPage(teacher, 'cohort-dashboard');
  await teacher.getByRole('link', { name: 'Quizzes', exact: true }).click();
  await teacher.getByRole('heading', { name: 'Set a quiz' }).waitFor();
  await checkPage(teacher, 'staff-quizzes');
  await teacher.getByLabel('Title').fill('Heart failure check');
  await teacher.getByLabel('Item type (filter)').selectOption('multiple_choice');
  await teacher.getByLabel('Number of items').fill('3');
  await teacher.getByLabel('UI cohort').check();
  await teacher.getByRole('button', { name: 'Create quiz' }).click();
  await teacher.getByRole('heading', { name: 'Analysis: Heart failure check' }).waitFor();
  const setQuizzes = await call('GET', '/quizzes', studentToken);
  assert.ok(setQuizzes.quizzes.some((q) => q.title === 'Heart failure check'), 'the student sees the assigned quiz');
  await teacher.goto(`${base}/#/quizzes/${quizId}/analysis`);
  await teacher.getByRole('heading', { name: 'Analysis: Every item type' }).waitFor();
  assert.equal(await teacher.locator('table.data tbody tr').count(), 10, 'a row per item');
  await checkPage(teacher, 'quiz-analysis');
  await bankSteps(teacher, adminToken, itemIds);

  await adminRecordsSteps({ admin, teacher, adminToken, studentId: student.user.id, cohortId });
} catch (error) {
  problems.push(`step failed: ${error.stack || error}`);
  for (const [index, context] of browser.contexts().entries()) {
    for (const [n, open] of context.pages().entries()) {
      await open.screenshot({ path: `${artifacts}/failure-${index}-${n}.png`, fullPage: true }).catch(() => {});
    }
  }
} finally {
  await browser.close();
}

if (problems.length) {
  console.error(`ui: ${problems.length} problem(s):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`ui: ok (${checkedPages} pages checked with axe-core, no console errors, no CSP violations; screenshots in ${artifacts})`);
