// Times the first load of a page in headless Chromium, from navigation to a selector showing that the page is usable
// (e.g. its chart drawn), on one or more running QualityHubs in alternating rounds: two builds on the same machine
// at the same moment, so a busy machine slows both alike.
// usage: QUALITYHUB_API_KEY=... node tools/bench/page-load.mjs --path PATH --ready SELECTOR [--rounds 10] URL [URL...]
// e.g.   node tools/bench/page-load.mjs --path / --ready ".qh-plot .main-svg" http://127.0.0.1:5301 http://127.0.0.1:5302
// Each round is a new browser context (nothing cached), so every load is a first load.
import { chromium } from 'playwright-core';
import { keyHeaders } from '../qualityhub-key.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : fallback;
};
const path = option('--path', '/');
const ready = option('--ready', '.qh-plot .main-svg');
const rounds = Number(option('--rounds', '10'));
const urls = args;
if (urls.length === 0 || !Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: node tools/bench/page-load.mjs --path PATH --ready SELECTOR [--rounds 10] URL [URL...]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.QUALITYHUB_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const timings = urls.map(() => []);
const bytes = urls.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (const [i, base] of urls.entries()) {
    const context = await browser.newContext({ extraHTTPHeaders: keyHeaders(), viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    let received = 0;
    page.on('requestfinished', async request => {
      const sizes = await request.sizes();
      received += sizes.responseBodySize + sizes.responseHeadersSize;
    });
    const started = Date.now();
    await page.goto(`${base}${path}`, { waitUntil: 'commit' });
    await page.waitForSelector(ready, { state: 'visible', timeout: 60000 });
    timings[i].push(Date.now() - started);
    await page.waitForLoadState('networkidle');
    bytes[i].push(received);
    await context.close();
  }
}
await browser.close();

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [i, base] of urls.entries()) {
  console.log(`${base}${path}: usable ("${ready}") after median ${median(timings[i])} ms (best ${Math.min(...timings[i])}, worst ${Math.max(...timings[i])}); ` +
    `${(median(bytes[i]) / 1024).toFixed(0)} KiB transferred; all: ${timings[i].join(', ')} ms`);
}
if (urls.length > 1) {
  console.log(`median ratio ${urls[1]} / ${urls[0]}: ${(median(timings[1]) / median(timings[0])).toFixed(2)}`);
}
