// Screenshots of every page of a running QualityHub, light and dark, at 1440x900 in headless Debian Chromium, and the
// browser console's errors on each: the check a person makes by eye before calling a page done, made repeatable.
// usage: QUALITYHUB_API_KEY=... node tools/screenshots/shoot.mjs BASE_URL OUT_DIR [PATH_FILTER]
// e.g.   node tools/screenshots/shoot.mjs http://127.0.0.1:5077 /tmp/shots evaluations
// Detail pages (a model, a dataset, a run, a release, a ticket) are found through the API: the first of each.
// Exits 1 when a page logged a console error or answered with an error status.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { fetchWithKey, keyHeaders } from '../qualityhub-key.mjs';

const [base, out, filter] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: node tools/screenshots/shoot.mjs BASE_URL OUT_DIR [PATH_FILTER]');
  process.exit(2);
}
mkdirSync(out, { recursive: true });

const firstId = async (path, pick = body => body) => {
  try {
    const response = await fetchWithKey(`${base}${path}`);
    if (!response.ok) {
      return null;
    }
    const items = pick(await response.json());
    return Array.isArray(items) && items.length > 0 ? items[0].id : null;
  } catch {
    return null;
  }
};

const runs = await firstId('/api/evaluations', body => body.items ?? body);
const pages = [
  ['overview', '/'],
  ['models', '/models'],
  ['model', (id => id && `/models/${id}`)(await firstId('/api/models', body => (body.items ?? body).flatMap(m => m.versions ?? [m])))],
  ['datasets', '/datasets'],
  ['dataset', (id => id && `/datasets/${id}`)(await firstId('/api/datasets', body => body.items ?? body))],
  ['evaluations', '/evaluations'],
  ['evaluation', runs && `/evaluations/${runs}`],
  ['evaluation-gallery', runs && `/evaluations/${runs}/gallery`],
  ['gallery', '/gallery'],
  ['compare', '/compare'],
  ['releases', '/releases'],
  ['release', (id => id && `/releases/${id}`)(await firstId('/api/releases', body => body.items ?? body))],
  ['requirements', '/requirements'],
  ['online', '/online'],
  ['tickets', '/tickets'],
  ['tickets-list', '/tickets/list'],
  ['ticket-new', '/tickets/new'],
  ['ticket', (id => id && `/tickets/${id}`)(await firstId('/api/tickets', body => body.items ?? body))],
  ['accounts', '/admin/accounts'],
  ['not-found', '/no-such-page'],
].filter(([name, path]) => path && (!filter || name.includes(filter)));

const browser = await chromium.launch({
  executablePath: process.env.QUALITYHUB_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
let failures = 0;
for (const theme of ['light', 'dark']) {
  const context = await browser.newContext({ extraHTTPHeaders: keyHeaders(), viewport: { width: 1440, height: 900 } });
  await context.addCookies([{ name: 'qualityhub-theme', value: theme, url: base }]);
  for (const [name, path] of pages) {
    const page = await context.newPage();
    const errors = [];
    // The Not found page's own 404 is expected; the browser reports it as a failed resource.
    page.on('console', message => message.type() === 'error' && !(name === 'not-found' && message.text().includes('404')) && errors.push(message.text()));
    page.on('pageerror', error => errors.push(error.message));
    const response = await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
    // Charts and grids draw after the circuit connects; give them a moment past the network going quiet.
    await page.waitForTimeout(1500);
    const file = join(out, `${name}-${theme}.png`);
    await page.screenshot({ path: file });
    const status = response?.status() ?? 0;
    const expectedStatus = name === 'not-found' ? 404 : 200;
    const ok = status === expectedStatus && errors.length === 0;
    failures += ok ? 0 : 1;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${theme.padEnd(5)} ${path} -> ${file} (HTTP ${status})${errors.map(e => `\n       console: ${e}`).join('')}`);
    await page.close();
  }
  await context.close();
}
await browser.close();
process.exit(failures > 0 ? 1 : 0);
