// Times the Online charts: the series API alone, then the /online page in headless Chromium from navigation to all
// three charts drawn with their traces.
// usage: node tools/online/online-page-bench.mjs --url http://127.0.0.1:PORT [--module NAME] [--range 30d] [--rounds 10]
import { chromium } from 'playwright-core';
import { fetchWithKey, keyHeaders } from '../qualityhub-key.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const base = args.url;
const range = args.range ?? '30d';
const rounds = Number(args.rounds ?? 10);
if (!base || !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(base)) {
  console.error('usage: node tools/online/online-page-bench.mjs --url http://127.0.0.1:PORT [--module NAME] [--range 30d] [--rounds 10]');
  process.exit(2);
}
const modules = await (await fetchWithKey(`${base}/api/online/modules`)).json();
const module = args.module ?? modules[0].name;
const stored = modules.reduce((sum, m) => sum + m.events, 0);
const days = { '1h': 1 / 24, '6h': 0.25, '24h': 1, '7d': 7, '30d': 30, '90d': 90 }[range];
console.log(`${stored.toLocaleString('en')} events stored (${modules.map(m => `${m.name} ${m.events.toLocaleString('en')}`).join(', ')}); module ${module}, range ${range}`);

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const api = [];
let points = 0;
for (let i = 0; i < rounds; i++) {
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  const t0 = performance.now();
  const response = await fetchWithKey(`${base}/api/online/series?module=${encodeURIComponent(module)}&from=${from.toISOString()}&to=${to.toISOString()}`);
  const series = await response.json();
  api.push(performance.now() - t0);
  points = series.releases.reduce((sum, r) => sum + r.points.length, 0);
  if (i === 0) {
    console.log(`series: ${series.resolution} resolution, ${series.releases.length} releases, ${points} points, ${series.releases.reduce((s, r) => s + r.totals.count, 0).toLocaleString('en')} events in range`);
  }
}
console.log(`series API: median ${median(api).toFixed(1)} ms, best ${Math.min(...api).toFixed(1)}, worst ${Math.max(...api).toFixed(1)} (${rounds} requests)`);

const browser = await chromium.launch({
  executablePath: process.env.QUALITYHUB_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const context = await browser.newContext({ extraHTTPHeaders: keyHeaders(), viewport: { width: 1400, height: 1600 } });
const page = await context.newPage();
const table = [];
const drawn = [];
for (let i = 0; i < rounds; i++) {
  const t0 = performance.now();
  await page.goto(`${base}/online?module=${encodeURIComponent(module)}&range=${range}`, { waitUntil: 'commit' });
  await page.waitForSelector('.qh-online-table tbody tr', { state: 'visible', timeout: 30000 });
  table.push(performance.now() - t0);
  await page.waitForFunction(() => {
    const plots = [...document.querySelectorAll('.qh-plot')];
    return plots.length === 3 && plots.every(p => p.querySelector('.scatterlayer .trace'));
  }, null, { timeout: 30000, polling: 'raf' });
  drawn.push(performance.now() - t0);
}
if (args.screenshot) {
  await page.screenshot({ path: args.screenshot, fullPage: true });
}
await browser.close();
console.log(`page: numbers table shown (server-rendered) median ${median(table).toFixed(0)} ms; all three charts drawn median ${median(drawn).toFixed(0)} ms, best ${Math.min(...drawn).toFixed(0)}, first (cold) ${drawn[0].toFixed(0)} ms`);
console.log(`  all loads: ${drawn.map(t => t.toFixed(0)).join(', ')} ms`);
