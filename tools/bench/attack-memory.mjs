// Issue #19's memory target, measured: the server's resident memory while the attacks that once exhausted it run four
// at a time — a JSONL import of /dev/zero, a JSONL import of a 3 GiB (sparse) file inside an import root, and a model
// upload whose `notes` field streams 300 MiB without a Content-Length. Samples VmRSS of the server every 50 ms.
//
//   node tools/bench/attack-memory.mjs [parallel=4] [fieldMiB=300]
//
// Starts the built app itself (dotnet build first) on a free loopback port, with a data folder and an import root of
// its own (Registry:ImportRoots = /dev and that folder; Registry:LoadDemoContent off), and stops it at the end.
// Prints the baseline and peak RSS, what each attack got and how many bytes it had sent when the answer came (Kestrel
// drains and discards the rest of a refused body); exit 1 when the peak is over
// the target (600 MiB) or an attack was not refused.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, ftruncateSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [parallelArg = '4', fieldArg = '300'] = process.argv.slice(2);
const parallel = Number(parallelArg);
const fieldBytes = Number(fieldArg) * 1024 * 1024;
const targetMiB = 600;
const key = 'attack-memory-key-0123456789';
const repo = resolve(new URL('../..', import.meta.url).pathname);
const executable = join(repo, 'src/QualityHub.Web/bin/Debug/net10.0/QualityHub.Web');

const data = mkdtempSync(join(tmpdir(), 'qualityhub-attack-'));
const root = mkdtempSync(join(tmpdir(), 'qualityhub-import-root-'));
const sparse = join(root, 'huge.jsonl');
const handle = openSync(sparse, 'w');
ftruncateSync(handle, 3 * 1024 ** 3);
closeSync(handle);

const app = spawn(executable, ['--urls', 'http://127.0.0.1:0'], {
  cwd: tmpdir(),
  env: {
    ...process.env,
    ASPNETCORE_ENVIRONMENT: 'Development',
    Storage__DataDirectory: data,
    QUALITYHUB_API_KEY: key,
    Registry__LoadDemoContent: 'false',
    Registry__ImportRoots__0: '/dev',
    Registry__ImportRoots__1: root,
    Online__DemoEvents: 'false',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const base = await new Promise((resolveBase, reject) => {
  let text = '';
  app.stdout.on('data', chunk => {
    text += chunk;
    const match = /Now listening on: (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
    if (match) resolveBase(match[1]);
  });
  app.on('exit', code => reject(new Error(`the app exited (${code}) before listening:\n${text}`)));
});

const rssMiB = () => {
  const status = readFileSync(`/proc/${app.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
};

// One round trip so the server has JIT-compiled its pipeline before the baseline.
for (let i = 0; i < 3; i++) {
  await fetch(`${base}/api/summary`, { headers: { 'x-api-key': key } });
}
await new Promise(r => setTimeout(r, 1000));
const baseline = rssMiB();
let peak = baseline;
const sampler = setInterval(() => { peak = Math.max(peak, rssMiB()); }, 50);

const importOf = (name, path) => () => post('/api/datasets/import', { 'content-type': 'application/json' }, (out, _, state) => {
  const body = JSON.stringify({ name, licenceId: 'MIT', format: 'jsonl', jsonl: path, taskType: 'TextRecognition' });
  state.sent = Buffer.byteLength(body);
  out.end(body);
});

// A multipart body whose first field never ends: 1 MiB chunks until fieldBytes, or until the server has answered.
const hugeField = () => post('/api/models', { 'content-type': 'multipart/form-data; boundary=attack', 'transfer-encoding': 'chunked' }, (out, answered, state) => {
  const chunk = Buffer.alloc(1024 * 1024, 'a');
  out.write('--attack\r\nContent-Disposition: form-data; name="module"\r\n\r\nx\r\n--attack\r\nContent-Disposition: form-data; name="notes"\r\n\r\n');
  return new Promise(done => {
    const pump = () => {
      while (state.sent < fieldBytes && !answered()) {
        state.sent += chunk.length;
        if (!out.write(chunk)) {
          out.once('drain', pump);
          return;
        }
      }
      out.end(answered() ? undefined : '\r\n--attack--\r\n');
      done();
    };
    out.on('error', () => done());
    pump();
  });
});

function post(path, headers, writeBody) {
  return new Promise(resolveAttack => {
    const started = performance.now();
    let answer = null;
    const state = { sent: 0 };
    const out = request(`${base}${path}`, { method: 'POST', headers: { ...headers, 'x-api-key': key } }, response => {
      let body = '';
      response.on('data', c => { body += c; });
      response.on('end', () => { answer = { status: response.statusCode, body }; finish(); });
    });
    const finish = () => answer && resolveAttack({ path, ...answer, sentMiB: state.sent / 1024 / 1024, ms: performance.now() - started });
    out.on('error', e => { answer ??= { status: 0, body: e.message }; finish(); });
    writeBody(out, () => answer !== null, state);
  });
}

const attacks = [];
for (let i = 0; i < parallel; i++) {
  attacks.push(importOf(`dev-zero-${i}`, '/dev/zero'), importOf(`sparse-${i}`, sparse), hugeField);
}
const results = await Promise.all(attacks.map(attack => attack()));
await new Promise(r => setTimeout(r, 500));
clearInterval(sampler);
const after = rssMiB();

console.log(`server RSS: baseline ${baseline.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB during ${results.length} attacks (${parallel} of each at once), ${after.toFixed(0)} MiB after; target < ${targetMiB} MiB`);
for (const r of results) {
  const detail = (() => { try { return JSON.parse(r.body).detail ?? r.body; } catch { return r.body; } })();
  console.log(`  ${r.status} ${r.path.padEnd(22)} ${r.ms.toFixed(0).padStart(6)} ms  sent ${r.sentMiB.toFixed(1).padStart(6)} MiB  ${String(detail).slice(0, 110)}`);
}

app.kill('SIGTERM');
await new Promise(r => app.once('exit', r));
rmSync(data, { recursive: true, force: true });
rmSync(root, { recursive: true, force: true });
const refused = results.every(r => r.status >= 400 && r.status < 500);
console.log(peak < targetMiB && refused ? 'PASS' : 'FAIL');
process.exit(peak < targetMiB && refused ? 0 : 1);
