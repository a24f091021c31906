// First-load bytes and time to interactive of three web UI pages, in headless Chromium on
// loopback with an empty cache: the sign-in page, the item player and a cohort dashboard.
// "Bytes" are what crossed the wire (compressed), summed over every response the page loaded;
// "interactive" is the time from navigation until the page's first control can be used.
import { createRequire } from 'node:module';

// The Playwright the UI tests pin (tests/ui/package-lock.json).
const { chromium } = createRequire(new URL('../tests/ui/package.json', import.meta.url))('playwright-core');

const base = process.env.BSN_BASE;
const rounds = Number(process.env.ROUNDS || 5);
async function call(method, path, token, body) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${response.status} ${text}`);
  }
  return text ? JSON.parse(text) : null;
}
const tokens = async (username, password) => call('POST', '/auth/login', null, { username, password });

const first = await tokens('admin', process.env.BSN_ADMIN_PASSWORD);
await call('POST', '/auth/password', first.access_token, { current_password: process.env.BSN_ADMIN_PASSWORD, new_password: 'bench admin password 1' });
const admin = await tokens('admin', 'bench admin password 1');
const student = await call('POST', '/auth/users', admin.access_token, { username: 'bench-student', password: 'bench student password 1', role: 'student' });
const cohort = await call('POST', '/cohorts', admin.access_token, { name: 'Bench cohort' });
await call('PUT', `/cohorts/${cohort.id}/members/${student.user.id}`, admin.access_token, { role: 'student' });
const generated = await call('POST', '/nclex/generate', admin.access_token, { topic: 'heart failure', question_count: 20, item_types: ['multiple_choice', 'matrix', 'bow_tie'] });
const quiz = await call('POST', '/quizzes', admin.access_token, { title: 'Bench quiz', item_ids: generated.questions.map((q) => q.id), cohort_ids: [cohort.id] });
const studentTokens = await tokens('bench-student', 'bench student password 1');
// A password an admin sets is temporary: make the first-sign-in change (to the same text).
await call('POST', '/auth/password', studentTokens.access_token, { current_password: 'bench student password 1', new_password: 'bench student password 1' });
const attempt = await call('POST', `/quizzes/${quiz.id}/attempts`, studentTokens.access_token);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

function sessionFor(login, user) {
  return JSON.stringify({ access: login.access_token, refresh: login.refresh_token, expiresAt: Date.now() + login.expires_in * 1000, user });
}

async function measure(hash, ready, session) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (session) {
    await context.addInitScript((value) => window.localStorage.setItem('bsn.session', value), session);
  }
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (event) => { bytes += event.encodedDataLength; });
  const started = Date.now();
  await page.goto(`${base}/${hash}`);
  await ready(page).waitFor({ timeout: 30000 });
  const interactive = Date.now() - started;
  await page.waitForLoadState('networkidle');
  await context.close();
  return { bytes, interactive };
}

const adminUser = await call('GET', '/auth/me', admin.access_token);
const studentUser = await call('GET', '/auth/me', studentTokens.access_token);
const pages = [
  ['sign-in page', '', (p) => p.getByLabel('Username'), null],
  ['item player (20-item quiz)', `#/attempt/${attempt.attempt_id}`, (p) => p.getByRole('button', { name: 'Next', exact: true }), () => sessionFor(studentTokens, studentUser)],
  ['cohort dashboard', `#/cohorts/${cohort.id}`, (p) => p.getByRole('button', { name: /Download CSV/ }), () => sessionFor(admin, adminUser)],
];
console.log(`| page | first-load bytes (compressed) | time to interactive p50 | max | rounds |`);
console.log(`|---|---|---|---|---|`);
for (const [name, hash, ready, session] of pages) {
  const runs = [];
  for (let i = 0; i < rounds; i += 1) {
    runs.push(await measure(hash, ready, session && session()));
  }
  const times = runs.map((r) => r.interactive).sort((a, b) => a - b);
  const bytes = Math.max(...runs.map((r) => r.bytes));
  console.log(`| ${name} | ${(bytes / 1024).toFixed(1)} KB | ${times[Math.floor(times.length / 2)]} ms | ${times[times.length - 1]} ms | ${rounds} |`);
}
await browser.close();
