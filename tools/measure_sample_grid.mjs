// Measures how smoothly a thumbnail grid scrolls in a real browser (Debian's Chromium through playwright-core)
// against a running QualityHub, and how long thumbnails take to appear after a jump: a dataset's grid, or with
// --gallery a run's error gallery (--query narrows it, e.g. "scope=all" or "sort=loss").
// Usage: node tools/measure_sample_grid.mjs --url http://127.0.0.1:5080 [--dataset NAME | --gallery RUN_ID [--query Q]]
//        [--rounds 3] [--step-px 120] [--chromium /usr/bin/chromium]
import { chromium } from 'playwright-core';
import { fetchWithKey, keyHeaders } from './qualityhub-key.mjs';

const LONG_FRAME_MS = 50;
const MIN_SAMPLES = 10_000;

function parseArgs(argv) {
  const args = { url: null, dataset: null, gallery: null, query: '', rounds: 3, stepPx: 120, chromium: '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) fail(`${key} needs a value`);
    switch (key) {
      case '--url': args.url = value.replace(/\/$/, ''); break;
      case '--dataset': args.dataset = value; break;
      case '--gallery': args.gallery = positive(key, value); break;
      case '--query': args.query = value.replace(/^\?/, ''); break;
      case '--rounds': args.rounds = positive(key, value); break;
      case '--step-px': args.stepPx = positive(key, value); break;
      case '--chromium': args.chromium = value; break;
      default: fail(`unknown option ${key}`);
    }
  }
  if (!args.url) fail('--url of a running QualityHub is required, e.g. --url http://127.0.0.1:5080');
  return args;
}

function positive(key, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) fail(`${key} must be a positive whole number, not '${value}'`);
  return n;
}

function fail(message) {
  console.error(`measure_sample_grid: ${message}`);
  process.exit(2);
}

// What to scroll: { path, items, perRow, label }.
async function chooseGrid(args) {
  if (args.gallery) {
    const response = await fetchWithKey(`${args.url}/api/evaluations/${args.gallery}/gallery?${args.query}${args.query ? '&' : ''}take=0`)
      .catch(e => fail(`cannot reach ${args.url}: ${e.message}`));
    if (!response.ok) fail(`run ${args.gallery}'s gallery: HTTP ${response.status} ${await response.text()}`);
    const { total } = await response.json();
    return { path: `/evaluations/${args.gallery}/gallery${args.query ? '?' + args.query : ''}`, items: total, perRow: 8, label: `run ${args.gallery}'s gallery${args.query ? ' (' + args.query + ')' : ''}` };
  }
  const grid = await chooseGrid(args);
  return { path: `/datasets/${dataset.id}`, items: dataset.samples, perRow: 8, label: `dataset ${dataset.id} '${dataset.name}'` };
}

async function chooseDataset(url, name) {
  const response = await fetchWithKey(`${url}/api/datasets`).catch(e => fail(`cannot reach ${url}: ${e.message}`));
  const datasets = await response.json();
  const chosen = name
    ? datasets.find(d => d.name === name)
    : datasets.filter(d => d.samples >= MIN_SAMPLES).sort((a, b) => b.samples - a.samples)[0];
  if (!chosen) {
    fail(name ? `there is no dataset '${name}'`
      : `no dataset has ${MIN_SAMPLES.toLocaleString('en')} samples or more; import one, e.g. dotnet run --project src/QualityHub.Cli -- import-fashion-mnist`);
  }
  return chosen;
}

// Installed in every page: true when every thumbnail cell inside the grid's visible area holds a decoded image.
function installThumbnailsShown() {
  window.qhThumbnailsShown = () => {
    const grid = document.querySelector('.qh-thumbs');
    const view = grid.getBoundingClientRect();
    const cells = [...grid.querySelectorAll('.qh-thumb')].filter(c => {
      const r = c.getBoundingClientRect();
      return r.bottom > view.top && r.top < view.bottom;
    });
    return cells.length > 0 && cells.every(c => { const i = c.querySelector('img'); return i && i.complete && i.naturalWidth > 0; });
  };
}

// Jumps the grid to a share of its height and returns the milliseconds until the visible thumbnails are shown.
async function jump(page, share) {
  return page.evaluate(async share => {
    const grid = document.querySelector('.qh-thumbs');
    const start = performance.now();
    grid.scrollTop = (grid.scrollHeight - grid.clientHeight) * share;
    for (;;) {
      await new Promise(r => requestAnimationFrame(r));
      if (window.qhThumbnailsShown()) return performance.now() - start;
      if (performance.now() - start > 60_000) return Infinity;
    }
  }, share);
}

// Scrolls from the top to the bottom by stepPx per animation frame; returns the time between consecutive frames.
async function scrollThrough(page, stepPx) {
  return page.evaluate(async stepPx => {
    const grid = document.querySelector('.qh-thumbs');
    grid.scrollTop = 0;
    await new Promise(r => setTimeout(r, 500));
    const frames = [];
    let last = await new Promise(r => requestAnimationFrame(r));
    while (grid.scrollTop + grid.clientHeight < grid.scrollHeight - 1) {
      grid.scrollTop += stepPx;
      const now = await new Promise(r => requestAnimationFrame(r));
      frames.push(now - last);
      last = now;
    }
    return frames;
  }, stepPx);
}

async function round(browser, url, grid, stepPx) {
  const context = await browser.newContext({ extraHTTPHeaders: keyHeaders(), viewport: { width: 1280, height: 800 } });
  await context.addInitScript(installThumbnailsShown);
  const page = await context.newPage();
  await page.goto(`${url}${grid.path}`);
  await page.locator('.qh-thumbs img').first().waitFor({ timeout: 60_000 });
  await page.locator('.qh-thumbs').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => window.qhThumbnailsShown(), null, { timeout: 60_000 });
  const middle = await jump(page, 0.5);
  const end = await jump(page, 1);
  const frames = await scrollThrough(page, stepPx);
  const inPage = await page.locator('.qh-thumb').count();
  await context.close();
  return { middle, end, frames, inPage };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const median = values => percentile([...values].sort((a, b) => a - b), 50);
const ms = v => `${v.toFixed(1)} ms`;

function frameFigures(frames) {
  const sorted = [...frames].sort((a, b) => a - b);
  const long = frames.filter(f => f > LONG_FRAME_MS).length;
  return `${frames.length.toLocaleString('en')} frames, median ${ms(percentile(sorted, 50))}, p95 ${ms(percentile(sorted, 95))}, `
    + `max ${ms(sorted[sorted.length - 1])}, over ${LONG_FRAME_MS} ms ${(100 * long / frames.length).toFixed(2)} %`;
}

const args = parseArgs(process.argv.slice(2));
const grid = await chooseGrid(args);
const browser = await chromium.launch({
  executablePath: args.chromium,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
}).catch(e => fail(`cannot start Chromium at ${args.chromium}: ${e.message.split('\n')[0]}`));
const rows = Math.ceil(grid.items / grid.perRow);
console.log(`${grid.label}: ${grid.items.toLocaleString('en')} items in ${rows.toLocaleString('en')} rows; `
  + `scrolling ${args.stepPx} px per frame, ${args.rounds} round(s), each in a fresh browser context`);
const results = [];
try {
  for (let i = 1; i <= args.rounds; i++) {
    const r = await round(browser, args.url, grid, args.stepPx);
    results.push(r);
    console.log(`round ${i}: thumbnails shown ${ms(r.middle)} after a jump to the middle, ${ms(r.end)} after a jump to the end; `
      + `scroll: ${frameFigures(r.frames)}; ${r.inPage} thumbnail cells in the page at the end`);
  }
} finally {
  await browser.close();
}
console.log(`all rounds: ${frameFigures(results.flatMap(r => r.frames))}; `
  + `thumbnails shown after a jump: to the middle median ${ms(median(results.map(r => r.middle)))}, to the end median ${ms(median(results.map(r => r.end)))}`);
