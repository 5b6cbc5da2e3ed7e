// Experiment families: `r2u sweep plan` on a 1,000-trial grid (target < 1 s),
// as a process and in process, beside `r2u check` of its base spec in the same
// run (alternated, so that the load of a shared machine hits both alike); then
// a queue round trip, enqueue to a worker picking the job up, through BullMQ on
// a local redis-server started here on a free port with no persistence
// (target < 50 ms). Without redis-server that part says so and is skipped.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { loadExperimentSync } from '../src/compiler/index.js';
import { connectionOf } from '../src/cli/trial-queue.js';
import { redisMissing, startRedis } from '../test/cli/redis-server.js';
import { machineLine, stats } from './machine.js';

const ROUNDS = Number(process.env.R2U_BENCH_ROUNDS ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'r2u-bench-sweep-'));
const base = join(dir, 'base.r2u');
const family = join(dir, 'family.r2u');
writeFileSync(base, `extends "${resolve('specs/quickstart.r2u')}"\nexperiment plan_bench {\n  train { epochs 4 }\n}\n`);
writeFileSync(
  family,
  `extends "${resolve('specs/quickstart.r2u')}"\nexperiment plan_bench {\n  train { epochs 4 }\n  sweep {\n    vary "model.filters" range(1, 10, step: 1)\n    vary "train.batch" range(1, 10, step: 1)\n    seeds 1, 2, 3, 4, 5, 6, 7, 8, 9, 10\n  }\n}\n`,
);

console.log(`## sweep plan, 1,000-trial grid (${machineLine()})`);
const time = (args: string[]): number => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/r2u.mjs', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`r2u ${args.join(' ')} failed: ${r.stderr}`);
  return performance.now() - t0;
};
const plan: number[] = [];
const check: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  plan.push(time(['sweep', 'plan', family]));
  check.push(time(['check', base]));
}
const p = stats(plan);
const c = stats(check);
console.log(`r2u sweep plan (process): median ${p.median.toFixed(0)} ms, range ${p.min.toFixed(0)}–${p.max.toFixed(0)} ms over ${ROUNDS} runs; target < 1000 ms: ${p.median < 1000 ? 'met' : 'NOT met'}`);
console.log(`r2u check of the base spec, alternated with it: median ${c.median.toFixed(0)} ms; planning the 1,000 trials adds ${(p.median - c.median).toFixed(0)} ms`);
const inProcess: number[] = [];
for (let i = 0; i < ROUNDS + 2; i++) {
  const t0 = performance.now();
  const r = loadExperimentSync(family);
  inProcess.push(performance.now() - t0);
  if (r.sweep?.trials.length !== 1000) throw new Error('the bench sweep did not plan 1,000 trials');
}
const q = stats(inProcess.slice(2)); // the first runs compile the schema validator and warm the JIT
console.log(`in process (load + expand + check 1,000 trials): median ${q.median.toFixed(0)} ms, ${((q.median / 1000) * 1000).toFixed(0)} µs per trial`);
rmSync(dir, { recursive: true, force: true });

console.log(`\n## queue round trip: enqueue → a worker picks the job up (BullMQ on a local redis-server)`);
const missing = redisMissing();
if (missing) console.log(`skipped: ${missing}`);
else {
  const redis = await startRedis();
  const connection = connectionOf(redis.url);
  const queue = new Queue('r2u-bench', { connection });
  const picked = new Map<string, number>();
  let arrived: (() => void) | undefined;
  const worker = new Worker(
    'r2u-bench',
    async (job) => {
      picked.set(job.id!, performance.now());
      arrived?.();
    },
    { connection, concurrency: 1 },
  );
  await worker.waitUntilReady();
  const samples: number[] = [];
  const JOBS = 220;
  for (let i = 0; i < JOBS; i++) {
    const done = new Promise<void>((r) => (arrived = r));
    const t0 = performance.now();
    const job = await queue.add('trial', { i }, { jobId: `bench-${i}`, removeOnComplete: true });
    await done;
    if (i >= 20) samples.push(picked.get(job.id!)! - t0); // the first jobs warm connections and scripts
  }
  await worker.close();
  await queue.close();
  await redis.stop();
  const s = [...samples].sort((a, b) => a - b);
  const p95 = s[Math.floor(s.length * 0.95)];
  console.log(`${samples.length} jobs one after another: median ${stats(samples).median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, max ${s.at(-1)!.toFixed(2)} ms; target < 50 ms: ${p95 < 50 ? 'met' : 'NOT met'}`);
}
