// Screenshot of one element of one page, for looking at a panel closely.
// usage: QUALITYHUB_API_KEY=... node tools/screenshots/element.mjs URL SELECTOR OUT.png [CLICK_TEXT]
import { chromium } from 'playwright-core';
import { keyHeaders } from '../qualityhub-key.mjs';

const [url, selector, out, click] = process.argv.slice(2);
if (!url || !selector || !out) {
  console.error('usage: node tools/screenshots/element.mjs URL SELECTOR OUT.png [CLICK_TEXT]');
  process.exit(2);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, extraHTTPHeaders: keyHeaders() });
  const page = await context.newPage();
  await page.goto(url);
  await page.locator("[data-interactive='true']").first().waitFor({ timeout: 30000 }).catch(() => {});
  if (click) {
    await page.getByText(click, { exact: false }).first().click();
  }
  const element = page.locator(selector).first();
  await element.waitFor({ timeout: 30000 });
  await page.waitForTimeout(1500);
  await element.screenshot({ path: out });
  console.log(`ok ${url} ${selector} -> ${out}`);
} finally {
  await browser.close();
}
