// ort-node-bench: the reference side of QualityHub's engine benchmark.
//
// Why: our engine binds the ONNX Runtime C API itself. To tell whether our binding adds overhead we
// time the same model, on the same machine, through the ONNX Runtime that onnxruntime-node ships
// (the very libonnxruntime.so.1 our engine loads), configured the way our engine is.
//
//   node tools/bench/ort-node-bench.mjs --model FILE --batch 1,32 --seconds 5 \
//        --intra-op-threads N --inter-op-threads M [--warmup-runs 20]
//
// Session: CPU execution provider, graphOptimizationLevel 'all', executionMode 'sequential', the given
// thread counts (0 lets ONNX Runtime choose). The model must have one tensor input. Its shape comes
// from the session's inputMetadata: a symbolic first dimension becomes the batch size, any other
// symbolic dimension becomes 1. The input is filled once per batch size with deterministic
// pseudo-random data (xorshift32, fixed seed): floats in [0,1), integers in [0,10), bools 0/1.
//
// Per batch size: --warmup-runs untimed runs, then back-to-back runs for --seconds, each timed with
// process.hrtime.bigint() around `await session.run(feeds)`. Prints one JSON line per batch size:
//   {"engine":"onnxruntime-node","batch":B,"runs":R,"seconds":S,"itemsPerSecond":X,
//    "p50Ms":..,"p95Ms":..,"p99Ms":..}
// seconds = wall time of the timed loop (first run's start to last run's end, so a little over
// --seconds); itemsPerSecond = B * R / seconds; pXX = latency of one run (one batch of B items) in
// milliseconds by nearest rank: sort the R latencies ascending and take the ceil(XX/100 * R)-th
// (1-based).
//
// A model whose first dimension is fixed at 1 prints {"batch":B,"skipped":"model has a fixed batch
// dimension of 1"} for each B > 1. Any other error (bad arguments, missing file, not a model, a fixed
// first dimension that does not match B) prints one line on stderr and exits with code 1 before any
// timing starts.

import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';

const USAGE =
  'usage: node tools/bench/ort-node-bench.mjs --model FILE --batch 1,32 --seconds 5 ' +
  '--intra-op-threads N --inter-op-threads M [--warmup-runs 20]';
const SEED = 0x9e3779b9;

class BenchError extends Error {}

function parseArgs(argv) {
  const wanted = ['--model', '--batch', '--seconds', '--intra-op-threads', '--inter-op-threads', '--warmup-runs'];
  const raw = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (!wanted.includes(name)) throw new BenchError(`unknown argument '${name}'; ${USAGE}`);
    if (value === undefined || value.startsWith('--')) throw new BenchError(`${name} needs a value; ${USAGE}`);
    raw[name] = value;
  }
  for (const name of wanted.slice(0, 5)) {
    if (raw[name] === undefined) throw new BenchError(`missing ${name}; ${USAGE}`);
  }
  const int = (name, min) => {
    const text = raw[name];
    if (!/^\d+$/.test(text) || Number(text) < min) throw new BenchError(`${name} must be an integer >= ${min}, got '${text}'`);
    return Number(text);
  };
  const batches = raw['--batch'].split(',').map((text) => {
    if (!/^\d+$/.test(text) || Number(text) < 1) throw new BenchError(`--batch must be a comma-separated list of integers >= 1, got '${raw['--batch']}'`);
    return Number(text);
  });
  const seconds = Number(raw['--seconds']);
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new BenchError(`--seconds must be a number > 0, got '${raw['--seconds']}'`);
  return {
    model: raw['--model'],
    batches,
    seconds,
    intraOpThreads: int('--intra-op-threads', 0),
    interOpThreads: int('--inter-op-threads', 0),
    warmupRuns: raw['--warmup-runs'] === undefined ? 20 : int('--warmup-runs', 0),
  };
}

function loadOrt() {
  // The package is installed at the repository root; resolve it from there so the script runs from any cwd.
  const require = createRequire(new URL('../../package.json', import.meta.url));
  try {
    return require('onnxruntime-node');
  } catch (e) {
    throw new BenchError(`cannot load onnxruntime-node (run 'ONNXRUNTIME_NODE_INSTALL=skip npm ci' at the repository root): ${e.message}`);
  }
}

// What to do for one batch size: the input shape to run, or why it is skipped. Throws for a mismatch.
function planBatch(shape, batch) {
  const dynamic = (dim) => typeof dim !== 'number' || dim < 0;
  if (shape.length === 0) {
    if (batch === 1) return { dims: [] };
    throw new BenchError(`the model's input has no batch dimension (scalar or unknown rank); cannot run batch ${batch}`);
  }
  const [first, ...rest] = shape;
  const dims = [dynamic(first) ? batch : first, ...rest.map((dim) => (dynamic(dim) ? 1 : dim))];
  if (dims[0] === batch) return { dims };
  if (first === 1) return { skipped: 'model has a fixed batch dimension of 1' };
  throw new BenchError(`the model has a fixed first dimension of ${first}; cannot run batch ${batch}`);
}

function makeTensor(ort, type, dims) {
  let state = SEED;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296; // [0,1)
  };
  const count = dims.reduce((a, b) => a * b, 1);
  const fill = (array, f) => {
    for (let i = 0; i < count; i++) array[i] = f(next());
    return new ort.Tensor(type, array, dims);
  };
  const smallInt = (u) => Math.floor(u * 10);
  switch (type) {
    case 'float32': return fill(new Float32Array(count), (u) => u);
    case 'float64': return fill(new Float64Array(count), (u) => u);
    case 'int8': return fill(new Int8Array(count), smallInt);
    case 'uint8': return fill(new Uint8Array(count), smallInt);
    case 'int16': return fill(new Int16Array(count), smallInt);
    case 'uint16': return fill(new Uint16Array(count), smallInt);
    case 'int32': return fill(new Int32Array(count), smallInt);
    case 'uint32': return fill(new Uint32Array(count), smallInt);
    case 'int64': return fill(new BigInt64Array(count), (u) => BigInt(smallInt(u)));
    case 'uint64': return fill(new BigUint64Array(count), (u) => BigInt(smallInt(u)));
    case 'bool': return fill(new Uint8Array(count), (u) => (u < 0.5 ? 0 : 1));
    default: throw new BenchError(`input element type '${type}' is not supported by this bench`);
  }
}

function nearestRank(sortedMs, percent) {
  const rank = Math.max(1, Math.ceil((percent / 100) * sortedMs.length));
  return sortedMs[rank - 1];
}

const round = (x, digits) => Number(x.toFixed(digits));

async function measure(session, feeds, batch, options) {
  for (let i = 0; i < options.warmupRuns; i++) await session.run(feeds);
  const latenciesNs = [];
  const budgetNs = BigInt(Math.round(options.seconds * 1e9));
  const start = process.hrtime.bigint();
  let end;
  do {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    end = process.hrtime.bigint();
    latenciesNs.push(end - t0);
  } while (end - start < budgetNs);
  const ms = latenciesNs.map((ns) => Number(ns) / 1e6).sort((a, b) => a - b);
  const seconds = Number(end - start) / 1e9;
  return {
    engine: 'onnxruntime-node',
    batch,
    runs: ms.length,
    seconds: round(seconds, 3),
    itemsPerSecond: round((batch * ms.length) / seconds, 1),
    p50Ms: round(nearestRank(ms, 50), 4),
    p95Ms: round(nearestRank(ms, 95), 4),
    p99Ms: round(nearestRank(ms, 99), 4),
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(options.model)) throw new BenchError(`model file not found: ${options.model}`);
  if (!statSync(options.model).isFile()) throw new BenchError(`model path is not a file: ${options.model}`);
  const ort = loadOrt();

  let session;
  try {
    session = await ort.InferenceSession.create(options.model, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: options.intraOpThreads,
      interOpNumThreads: options.interOpThreads,
    });
  } catch (e) {
    throw new BenchError(`cannot load model ${options.model}: ${e.message}`);
  }
  if (session.inputNames.length !== 1) {
    throw new BenchError(`the model has ${session.inputNames.length} inputs; this bench feeds exactly one`);
  }
  const input = session.inputMetadata[0];
  if (!input.isTensor) throw new BenchError(`the model's input '${input.name}' is not a tensor`);

  // Plan every batch size and build its input before timing any, so a bad request prints no half set
  // of figures.
  const plans = options.batches.map((batch) => {
    const plan = planBatch(input.shape, batch);
    return plan.skipped
      ? { batch, skipped: plan.skipped }
      : { batch, feeds: { [input.name]: makeTensor(ort, input.type, plan.dims) } };
  });
  for (const plan of plans) {
    const line = plan.skipped
      ? { batch: plan.batch, skipped: plan.skipped }
      : await measure(session, plan.feeds, plan.batch, options);
    console.log(JSON.stringify(line));
  }
  await session.release();
}

main().catch((e) => {
  const message = e instanceof BenchError ? e.message : `unexpected error: ${e && e.stack ? e.stack : e}`;
  process.stderr.write(`ort-node-bench: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
});
