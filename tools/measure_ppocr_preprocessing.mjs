// Measures what PP-OCRv4's preprocessing choices change on the demo's card-text test set: the demo card (lines
// resized to height 48, RGB, no padding) against PaddleOCR's own (BGR, lines padded with zeros to width 320), and each
// change alone. Each variant is the same ONNX file registered as its own version with its own card, evaluated on
// card-text-test through the API; the table prints exact match and CER raw and under the module's comparison rule.
//
// usage: QUALITYHUB_API_KEY=... node tools/measure_ppocr_preprocessing.mjs BASE_URL
//        (an app with the demo content loaded; the script adds versions "pp-ocrv4-rec-…" and their runs)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { fetchWithKey } from './qualityhub-key.mjs';

const base = process.argv[2];
if (!base) {
  console.error('usage: node tools/measure_ppocr_preprocessing.mjs BASE_URL');
  process.exit(2);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const onnx = join(root, 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_PP-OCRv4_rec_infer.onnx');

async function json(path, init) {
  const response = await fetchWithKey(new URL(path, base), init);
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${init?.method ?? 'GET'} ${path}: ${response.status} ${text.slice(0, 300)}`);
  }
  return JSON.parse(text);
}

const models = await json('/api/models');
const shipped = models.find(m => m.name === 'pp-ocrv4-rec');
if (!shipped) {
  throw new Error('No pp-ocrv4-rec version: load the demo content first.');
}
const card = JSON.parse((await json(`/api/models/${shipped.id}`)).modelCardJson);
const dataset = (await json('/api/datasets')).find(d => d.name === 'card-text-test');

const variants = [
  ['as shipped (RGB, no padding)', {}],
  ['BGR only', { bgr: true }],
  ['padded to 320 only', { padToWidth: 320 }],
  ["PaddleOCR's own (BGR, padded to 320)", { bgr: true, padToWidth: 320 }],
];

const rows = [];
for (const [name, change] of variants) {
  const version = `pp-ocrv4-rec-${change.bgr ? 'bgr' : 'rgb'}-${change.padToWidth ? 'pad320' : 'nopad'}-${Date.now()}`;
  const variantCard = { ...card, input: { ...card.input, ...change }, notes: `Preprocessing variant of pp-ocrv4-rec for tools/measure_ppocr_preprocessing.mjs: ${name}.` };
  const form = new FormData();
  form.set('module', shipped.module);
  form.set('version', version);
  form.set('notes', `Measurement variant: ${name}`);
  form.set('card', JSON.stringify(variantCard));
  form.set('file', new Blob([readFileSync(onnx)]), 'ch_PP-OCRv4_rec_infer.onnx');
  const registered = await json('/api/models', { method: 'POST', body: form });
  const run = await json('/api/evaluations', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ modelVersionId: registered.id, datasetId: dataset.id }),
  });
  let detail;
  for (;;) {
    detail = await json(`/api/evaluations/${run.id}`);
    if (['completed', 'failed', 'cancelled'].includes(String(detail.status).toLowerCase())) {
      break;
    }
    process.stderr.write(`\r${name}: ${detail.progress?.done ?? 0}/${detail.progress?.total ?? '?'}   `);
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  process.stderr.write('\n');
  const m = detail.metrics;
  rows.push({
    variant: name,
    run: run.id,
    exactMatch: m.exactMatch,
    cer: m.characterErrorRate,
    exactMatchUnderRule: m.underRule?.exactMatch?.value ?? null,
    cerUnderRule: m.underRule?.characterErrorRate?.value ?? null,
    rule: m.underRule?.description ?? 'exact',
    p50ms: m.processingTime?.p50 ?? null,
  });
}

const pct = v => (v == null ? '—' : `${(v * 100).toFixed(2)} %`);
console.log(`pp-ocrv4-rec on ${dataset.name} (${dataset.samples} lines); comparison rule: ${rows[0].rule}`);
console.log('| variant | run | exact match | CER | exact match (rule) | CER (rule) | processing p50 |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.variant} | #${r.run} | ${pct(r.exactMatch)} | ${pct(r.cer)} | ${pct(r.exactMatchUnderRule)} | ${pct(r.cerUnderRule)} | ${r.p50ms == null ? '—' : r.p50ms.toFixed(1) + ' ms'} |`);
}
