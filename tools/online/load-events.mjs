// Load test for POST /api/events: sends batches of synthetic online events to a QualityHub on this machine and
// prints the sustained rate. Bounded by --events and --seconds; refuses any host but the loopback.
//
// usage: node tools/online/load-events.mjs --url http://127.0.0.1:PORT [--events 200000] [--batch 5000]
//          [--concurrency 2] [--seconds 120] [--span-days 0] [--release NAME] [--module NAME] [--descriptors] [--prefix load]
//          [--numbered-ids]
//   --span-days D  spread timestamps evenly over the last D days (to fill a database for the chart benchmark);
//                  0 puts every event in the last minute (the live case)
//   --release      the release whose modules get the events (default: the newest release in /api/releases)
//   --module       only this module of the release gets events (default: all of them, in turn)
//   --descriptors  every event also carries a confidence and input descriptors (size, brightness, contrast, blur),
//                  as a service using QualityHub.Client sends them: what the drift histograms are summed from
//   --numbered-ids ids are PREFIX-0, PREFIX-1, … instead of PREFIX-UUID: two senders with the same prefix send the
//                  same ids (batch by batch in the same order), so two portal instances can be loaded with the same
//                  events at once to check that each is stored and counted once
// Events are labelled load-test data by their ids (PREFIX-UUID); they are not production data.
import { randomUUID } from 'node:crypto';
import { fetchWithKey, keyHeaders } from '../qualityhub-key.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const base = args.url ?? '';
const total = Number(args.events ?? 200_000);
const batchSize = Number(args.batch ?? 5000);
const concurrency = Number(args.concurrency ?? 2);
const maxSeconds = Number(args.seconds ?? 120);
const spanDays = Number(args['span-days'] ?? 0);
const prefix = args.prefix ?? 'load';
// A flag without a value: present (followed by another flag or nothing) means on.
const descriptors = process.argv.includes('--descriptors');
const numberedIds = process.argv.includes('--numbered-ids');

let host;
try {
  host = new URL(base).hostname;
} catch {
  host = '';
}
if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) {
  console.error('usage: node tools/online/load-events.mjs --url http://127.0.0.1:PORT [...]  (loopback only)');
  process.exit(2);
}
if (!(total > 0 && total <= 5_000_000 && batchSize > 0 && batchSize <= 10_000 && concurrency >= 1 && concurrency <= 8 && maxSeconds > 0 && maxSeconds <= 3600)) {
  console.error('--events 1..5,000,000, --batch 1..10,000, --concurrency 1..8, --seconds 1..3600');
  process.exit(2);
}

const releases = await (await fetchWithKey(`${base}/api/releases`)).json();
const release = args.release ? releases.find(r => r.name === args.release) : releases[releases.length - 1];
if (!release || release.entries.length === 0) {
  console.error(`no release ${args.release ?? ''} with modules at ${base}`);
  process.exit(1);
}
const modules = release.entries.map(e => e.module).filter(m => !args.module || m === args.module);
if (modules.length === 0) {
  console.error(`release ${release.name} has no module ${args.module}`);
  process.exit(1);
}
console.log(`sending ${total.toLocaleString('en')} events${descriptors ? ' with descriptors' : ''} to ${base}/api/events in batches of ${batchSize} (${concurrency} in flight, at most ${maxSeconds} s): release ${release.name}, modules ${modules.join(', ')}`);

// A fixed-seed generator, so two runs send the same latencies and corrections (ids differ per run).
let seed = 20261201;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const now = Date.now();
const spanMs = spanDays * 86_400_000;

function batch(from, count) {
  const events = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = from + i;
    const at = spanMs > 0 ? now - spanMs + (spanMs * n) / total : now - random() * 60_000;
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const corrected = random() < 0.05;
    events[i] = {
      // Random by default, as senders' ids are: the worst case for the unique index.
      eventId: numberedIds ? `${prefix}-${n}` : `${prefix}-${randomUUID()}`,
      release: release.name,
      module: modules[n % modules.length],
      timestamp: new Date(at).toISOString(),
      latencyMs: Math.round(60 * Math.exp(0.45 * z) * 100) / 100,
      predicted: 'load-test output',
      corrected,
      correctedValue: corrected ? 'load-test correction' : null,
    };
    if (descriptors) {
      Object.assign(events[i], {
        confidence: Math.round((0.5 + 0.5 * random()) * 1000) / 1000,
        inputWidth: 28,
        inputHeight: 28,
        brightness: Math.round((0.2 + 0.3 * random()) * 10000) / 10000,
        contrast: Math.round((0.1 + 0.2 * random()) * 10000) / 10000,
        blur: Math.round((0.02 + 0.2 * random()) * 10000) / 10000,
      });
    }
  }
  return JSON.stringify(events);
}

let next = 0;
let accepted = 0;
let duplicates = 0;
const batchMs = [];
const started = performance.now();
const deadline = started + maxSeconds * 1000;
let lastReport = started;

async function worker() {
  while (next < total && performance.now() < deadline) {
    const from = next;
    const count = Math.min(batchSize, total - from);
    next += count;
    const body = batch(from, count);
    const t0 = performance.now();
    const response = await fetchWithKey(`${base}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const result = await response.json();
    if (!response.ok) {
      throw new Error(`batch at ${from}: ${response.status} ${JSON.stringify(result)}`);
    }
    batchMs.push(performance.now() - t0);
    accepted += result.accepted;
    duplicates += result.duplicates;
    const t = performance.now();
    if (t - lastReport > 5000) {
      lastReport = t;
      console.log(`  ${accepted.toLocaleString('en')} events after ${((t - started) / 1000).toFixed(1)} s: ${Math.round(accepted / ((t - started) / 1000)).toLocaleString('en')} events/s`);
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, worker));
const seconds = (performance.now() - started) / 1000;
const sorted = [...batchMs].sort((a, b) => a - b);
const pct = p => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
console.log(`${accepted.toLocaleString('en')} events accepted (${duplicates} duplicates) in ${seconds.toFixed(1)} s: ${Math.round(accepted / seconds).toLocaleString('en')} events/s sustained`);
console.log(`  per batch of ${batchSize}: p50 ${pct(50).toFixed(0)} ms, p95 ${pct(95).toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms (${sorted.length} batches)`);
