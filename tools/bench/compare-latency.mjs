// End-to-end latency of the Compare page, measured in a real browser (Debian's Chromium via playwright-core):
// a click on a dataset sample until every candidate's answer is on the page (and the next frame is painted).
// The page reports its own server time per click (data-server-ms: from the click reaching the server to the last
// answer) and each candidate's engine compute (data-compute-ms), so the server's overhead beyond compute is
// server time minus the candidates' compute (they run one after another here: one run slot on 2 cores).
//
//   node tools/bench/compare-latency.mjs http://127.0.0.1:5000 [clicks=200] [warmup=20]
//
// The app must be running with its demo content; the page opens the module with the most versions and chooses
// up to four of them (the three Fashion-MNIST classifiers on a fresh install).
import { chromium } from 'playwright-core';
import { fetchWithKey, keyHeaders } from '../qualityhub-key.mjs';

const [base = 'http://127.0.0.1:5000', clicksArg = '200', warmupArg = '20'] = process.argv.slice(2);
const clicks = Number(clicksArg);
const warmup = Number(warmupArg);

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ extraHTTPHeaders: keyHeaders(), viewport: { width: 1500, height: 1200 } });
  page.on('pageerror', e => console.error('page error:', e.message));
  await page.goto(`${base}/compare`);
  await page.waitForSelector('[data-interactive="true"] [data-sample]', { timeout: 30000 });
  const candidates = await page.$$eval('[data-version]:checked', boxes => boxes.length);

  const rows = [];
  for (let i = 0; i < warmup + clicks; i++) {
    if (i % 12 === 0 && i > 0) {
      await page.click('[data-shuffle]');
      await page.waitForTimeout(200);
    }
    const row = await page.evaluate(async index => {
      const buttons = [...document.querySelectorAll('[data-sample]')];
      const button = buttons[index % buttons.length];
      const before = Number(document.querySelector('.qh-compare-input')?.dataset.run ?? 0);
      const done = () => {
        const box = document.querySelector('.qh-compare-input');
        return box && Number(box.dataset.run) > before && box.dataset.complete === 'true' ? box : null;
      };
      const started = performance.now();
      const finished = new Promise((resolve, reject) => {
        setTimeout(() => reject(new Error(`no complete answer 10 s after clicking sample ${button.dataset.sample}`)), 10000);
        const observer = new MutationObserver(() => {
          const box = done();
          if (box) {
            observer.disconnect();
            resolve(box);
          }
        });
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
      });
      button.click();
      const box = await finished;
      const shown = performance.now();
      await new Promise(requestAnimationFrame);
      const painted = performance.now();
      const computes = [...box.querySelectorAll('[data-compute-ms]')].map(c => Number(c.dataset.computeMs));
      return { shownMs: shown - started, paintedMs: painted - started, serverMs: Number(box.dataset.serverMs), computeMs: computes.reduce((a, b) => a + b, 0), answers: computes.length };
    }, i);
    if (process.env.VERBOSE) {
      console.log(i, JSON.stringify(row));
    }
    if (i >= warmup) {
      rows.push(row);
    }
  }

  const pick = key => rows.map(r => r[key]);
  const overhead = rows.map(r => r.serverMs - r.computeMs);
  const fmt = v => v.toFixed(2).padStart(8);
  console.log(`compare-latency: ${rows.length} clicks after ${warmup} warm-up, ${candidates} candidates, every click answered by ${Math.min(...pick('answers'))}+ candidates`);
  console.log('                               p50       p95       p99       max  (ms)');
  for (const [name, values] of [
    ['click -> all answers shown', pick('shownMs')],
    ['click -> next frame painted', pick('paintedMs')],
    ['server (action -> last answer)', pick('serverMs')],
    ['engine compute (sum)', pick('computeMs')],
    ['server overhead beyond compute', overhead],
  ]) {
    console.log(`${name.padEnd(30)} ${fmt(percentile(values, 50))}  ${fmt(percentile(values, 95))}  ${fmt(percentile(values, 99))}  ${fmt(Math.max(...values))}`);
  }
  const p95 = percentile(pick('paintedMs'), 95);
  const overheadP95 = percentile(overhead, 95);
  console.log(`target: p95 end to end < 300 ms -> ${p95.toFixed(1)} ms (${p95 < 300 ? 'met' : 'NOT met'}); ` +
    `server overhead p95 ${overheadP95.toFixed(1)} ms = ${(100 * overheadP95 / p95).toFixed(1)} % of the end-to-end p95 (target < 10 %: ${overheadP95 < 0.1 * p95 ? 'met' : 'NOT met'})`);
} finally {
  await browser.close();
}
