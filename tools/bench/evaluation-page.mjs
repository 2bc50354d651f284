// Times the run detail page of an evaluation run in headless Chromium: from navigation to the page being usable
// (headline tiles, the confusion-matrix or per-tag chart drawn, the first page of predictions shown).
// usage: node tools/bench/evaluation-page.mjs BASE_URL RUN_ID [ROUNDS]
// e.g.   node tools/bench/evaluation-page.mjs http://127.0.0.1:5093 2 10
// The browser is signed in as a person is, through the sign-in form, when QUALITYHUB_BENCH_EMAIL and
// QUALITYHUB_BENCH_PASSWORD are set (a session cookie: no database lookup per request); otherwise every request of the
// page — the page, its images, the circuit — carries the API key, which is looked up in the database each time.
import { chromium } from 'playwright-core';
import { keyHeaders } from '../qualityhub-key.mjs';

const [base, runId, roundsArg] = process.argv.slice(2);
if (!base || !runId) {
  console.error('usage: node tools/bench/evaluation-page.mjs BASE_URL RUN_ID [ROUNDS]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 10);
const browser = await chromium.launch({
  executablePath: process.env.QUALITYHUB_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const email = process.env.QUALITYHUB_BENCH_EMAIL;
const password = process.env.QUALITYHUB_BENCH_PASSWORD;
const context = await browser.newContext({ extraHTTPHeaders: email ? {} : keyHeaders(), viewport: { width: 1400, height: 1200 } });
const page = await context.newPage();
if (email) {
  await page.goto(`${base}/account/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password ?? '');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(url => !url.pathname.startsWith('/account/'), { timeout: 30000 });
}
console.log(email ? `signed in as ${email} (cookie)` : 'every request carries the API key');
const api = await (await context.request.get(`${base}/api/evaluations/${runId}`)).json();
console.log(`run ${runId}: ${api.modelVersion} on ${api.dataset}, ${api.progress.done.toLocaleString('en')} predictions, status ${api.status}`);

const timings = [];
const firstContent = [];
for (let i = 0; i < rounds; i++) {
  const started = Date.now();
  await page.goto(`${base}/evaluations/${runId}`, { waitUntil: 'commit' });
  await page.waitForSelector('.qh-headline .qh-tile', { state: 'visible', timeout: 30000 });
  firstContent.push(Date.now() - started);
  await page.waitForSelector('.qh-plot .main-svg', { state: 'visible', timeout: 30000 });
  await page.waitForSelector('.qh-predictions tbody tr td img', { state: 'attached', timeout: 30000 });
  timings.push(Date.now() - started);
}
await browser.close();

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`${rounds} loads (first load included): headline numbers and tables (server-rendered) shown after median ${median(firstContent)} ms`);
console.log(`  everything drawn (charts, first predictions page): median ${median(timings)} ms, best ${Math.min(...timings)} ms, worst ${Math.max(...timings)} ms`);
console.log(`  all: ${timings.join(', ')} ms`);
