// check_fashion_onnx: runs the exported Fashion-MNIST demo models through onnxruntime-node.
//
// Why: the training script measures accuracy with the torch model (Debian's python has no onnxruntime), so this
// checks that each exported .onnx file loads in ONNX Runtime — the library QualityHub's engine binds — and, fed
// the way its model card says, classifies the 2,000-image demo subset as torch did.
//
//   node tools/check_fashion_onnx.mjs [--write]
//
// For each model in data/demo/models/fashion-torch-reference.json (written by tools/train_fashion_classifiers.py):
// read <name>.card.json, turn every subset pixel into value = (pixel · scale − mean) / std in float32 (the card's
// formula), run <name>.onnx on the CPU in batches of 250, and print one line: subset accuracy, torch's subset
// accuracy and the difference, how many of the 2,000 top-1 classes agree with torch, and the largest absolute
// logit difference on the first images whose torch logits the reference file holds.
// Exit code 1 when a model fails to load or run, or its accuracy differs from torch's by more than 0.1 point.
// --write also puts the printed lines into data/demo/models/MODELS.md, between its onnx-check markers.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODELS = join(ROOT, 'data', 'demo', 'models');
const SUBSET = join(ROOT, 'data', 'demo', 'fashion-mnist');
const BATCH = 250;
const TOLERANCE_POINTS = 0.1;
const BEGIN = '<!-- onnx-check:begin -->';
const END = '<!-- onnx-check:end -->';

const require = createRequire(join(ROOT, 'package.json'));
const ort = require('onnxruntime-node');
const ortVersion = JSON.parse(readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')).version;

/** Reads a gzipped IDX file of unsigned bytes; checks the magic and returns its sizes and data. */
function readIdx(path, magic) {
  const bytes = gunzipSync(readFileSync(path));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    throw new Error(`${path}: magic 0x${found.toString(16).padStart(8, '0')}, expected 0x${magic.toString(16).padStart(8, '0')}`);
  }
  const sizes = [];
  for (let d = 0; d < (magic & 0xff); d++) sizes.push(view.getUint32(4 + 4 * d));
  const data = bytes.subarray(4 + 4 * sizes.length);
  if (data.length !== sizes.reduce((a, b) => a * b, 1)) {
    throw new Error(`${path}: header says [${sizes}] but holds ${data.length} bytes of data`);
  }
  return { sizes, data };
}

/** The card's normalisation, computed step by step in float32 as QualityHub's engine does. */
function normalise(pixels, input) {
  const f = Math.fround;
  const scale = f(input.scale);
  const mean = f(input.mean[0]);
  const std = f(input.std[0]);
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = f(f(f(pixels[i] * scale) - mean) / std);
  return out;
}

function argmax(row) {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
  return best;
}

async function check(name, torch, images, labels) {
  const card = JSON.parse(readFileSync(join(MODELS, `${name}.card.json`), 'utf8'));
  const { input } = card;
  if (input.layout !== 'nchw' || input.channels !== 1 || input.width !== 28 || input.height !== 28) {
    throw new Error(`${name}: the card asks for a ${input.layout} ${input.channels}×${input.height}×${input.width} input, not 1×28×28 nchw`);
  }
  const session = await ort.InferenceSession.create(join(MODELS, `${name}.onnx`), {
    executionProviders: ['cpu'],
    intraOpNumThreads: 2,
  });
  const classes = card.labels.length;
  const count = labels.length;
  const pixels = 28 * 28;
  const values = normalise(images, input);
  const logits = new Float32Array(count * classes);
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    const feed = new ort.Tensor('float32', values.subarray(start * pixels, (start + n) * pixels), [n, 1, 28, 28]);
    const result = await session.run({ [input.name]: feed });
    const out = result[card.outputName];
    if (!out || out.dims.length !== 2 || out.dims[0] !== n || out.dims[1] !== classes) {
      throw new Error(`${name}: output ${card.outputName} has shape [${out?.dims}], expected [${n},${classes}]`);
    }
    logits.set(out.data, start * classes);
  }
  await session.release();

  let correct = 0;
  let agree = 0;
  for (let i = 0; i < count; i++) {
    const top1 = argmax(logits.subarray(i * classes, (i + 1) * classes));
    if (top1 === labels[i]) correct++;
    if (top1 === Number(torch.subsetTop1[i])) agree++;
  }
  let maxDiff = 0;
  torch.subsetLogitsHead.forEach((row, i) => row.forEach((v, c) => {
    maxDiff = Math.max(maxDiff, Math.abs(v - logits[i * classes + c]));
  }));
  // Compare image counts, not percentages, so float rounding cannot show as a spurious -0.00.
  const torchCorrect = torch.subsetCorrect;
  if (torch.subsetImages !== count) {
    throw new Error(`the torch reference counts ${torch.subsetImages} subset images, the subset file holds ${count}`);
  }
  const accuracy = (100 * correct) / count;
  const torchAccuracy = (100 * torchCorrect) / count;
  const delta = (100 * (correct - torchCorrect)) / count;
  const ok = Math.abs(correct - torchCorrect) <= (TOLERANCE_POINTS / 100) * count;
  const line =
    `${name.padEnd(18)} subset accuracy ${accuracy.toFixed(2)}% (${correct}/${count}), torch ${torchAccuracy.toFixed(2)}% (${torchCorrect}/${count}), ` +
    `Δ ${delta >= 0 ? '+' : ''}${delta.toFixed(2)} pt, top-1 agrees with torch on ${agree}/${count}, ` +
    `max |Δlogit| ${maxDiff.toExponential(1)} on the first ${torch.subsetLogitsHead.length} images — ${ok ? 'OK' : 'MISMATCH'}`;
  return { line, ok };
}

async function main() {
  const write = process.argv.includes('--write');
  const unknown = process.argv.slice(2).filter((a) => a !== '--write');
  if (unknown.length > 0) {
    console.error(`unknown argument(s): ${unknown.join(' ')}\nusage: node tools/check_fashion_onnx.mjs [--write]`);
    process.exit(2);
  }
  const reference = JSON.parse(readFileSync(join(MODELS, 'fashion-torch-reference.json'), 'utf8'));
  const images = readIdx(join(SUBSET, 'test-2000-images-idx3-ubyte.gz'), 0x00000803);
  const labels = readIdx(join(SUBSET, 'test-2000-labels-idx1-ubyte.gz'), 0x00000801);
  if (images.sizes[1] !== 28 || images.sizes[2] !== 28 || images.sizes[0] !== labels.sizes[0]) {
    throw new Error(`subset shapes [${images.sizes}] and [${labels.sizes}] do not fit together`);
  }

  const lines = [];
  let failed = false;
  for (const [name, torch] of Object.entries(reference.models)) {
    try {
      const { line, ok } = await check(name, torch, images.data, labels.data);
      lines.push(line);
      failed ||= !ok;
    } catch (e) {
      lines.push(`${name.padEnd(18)} FAILED: ${e.message}`);
      failed = true;
    }
    console.log(lines.at(-1));
  }

  if (write) {
    const path = join(MODELS, 'MODELS.md');
    const text = readFileSync(path, 'utf8');
    const begin = text.indexOf(BEGIN);
    const end = text.indexOf(END);
    if (begin < 0 || end < begin) throw new Error(`${path} has no ${BEGIN} … ${END} section`);
    const block =
      `${BEGIN}\nonnxruntime-node ${ortVersion}, CPU execution provider, 2 intra-op threads, batches of ${BATCH}; ` +
      `output of \`node tools/check_fashion_onnx.mjs\`:\n\n\`\`\`\n${lines.join('\n')}\n\`\`\`\n`;
    writeFileSync(path, text.slice(0, begin) + block + text.slice(end));
    console.log(`wrote the results into ${path}`);
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
