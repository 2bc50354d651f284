// How long GET /api/online/drift takes for one module and release over a range, against a QualityHub on this machine.
// Prints the events the report covers and the answer time per request (the first one separately: it may compute and
// store the reference profile). Bounded by --requests; refuses any host but the loopback.
//
// usage: node tools/online/drift-bench.mjs --url http://127.0.0.1:PORT --module NAME --release NAME [--days 30] [--requests 20]
import { fetchWithKey } from '../qualityhub-key.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const base = args.url ?? '';
const days = Number(args.days ?? 30);
const requests = Number(args.requests ?? 20);
let host;
try {
  host = new URL(base).hostname;
} catch {
  host = '';
}
if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host) || !args.module || !args.release || !(days > 0 && days <= 366 && requests >= 1 && requests <= 1000)) {
  console.error('usage: node tools/online/drift-bench.mjs --url http://127.0.0.1:PORT --module NAME --release NAME [--days 1..366] [--requests 1..1000]  (loopback only)');
  process.exit(2);
}

const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
const from = new Date(to.getTime() - days * 86_400_000);
const url = `${base}/api/online/drift?module=${encodeURIComponent(args.module)}&release=${encodeURIComponent(args.release)}&from=${from.toISOString()}&to=${to.toISOString()}`;
const times = [];
let report;
for (let i = 0; i < requests; i++) {
  const t0 = performance.now();
  const response = await fetchWithKey(url);
  report = await response.json();
  if (!response.ok) {
    throw new Error(`${response.status} ${JSON.stringify(report)}`);
  }
  times.push(performance.now() - t0);
}

const [first, ...rest] = times;
const sorted = (rest.length > 0 ? rest : times).sort((a, b) => a - b);
const pct = p => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
console.log(`drift of ${args.module} in ${args.release} over ${days} days (a point per ${report.step}): ${report.events.toLocaleString('en')} events, ${report.measures.length} measures, reference run ${report.reference?.runId ?? 'none'}`);
console.log(`  first request ${first.toFixed(0)} ms; then p50 ${pct(50).toFixed(0)} ms, p95 ${pct(95).toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms (${sorted.length} requests)`);
