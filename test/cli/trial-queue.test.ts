// Sweep trials through BullMQ on a real Redis, with real worker processes: a
// duplicate enqueue adds nothing, a worker killed mid-trial loses nothing
// (another takes its trial over), a failing trial is retried with backoff and
// then reported failed, the summary job writes the comparison after a partial
// failure, and a trial gives the same metrics through the queue as locally.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisMissing, REQUIRE_SYSTEM, startRedis } from './redis-server.js';
import { BIN, r2u, TINY_SWEEP } from './tiny-sweep.js';

const missing = redisMissing();
if (missing && !REQUIRE_SYSTEM) console.warn(`skipping the queue tests: ${missing}`);

describe.skipIf(missing !== undefined && !REQUIRE_SYSTEM)('sweep trials on BullMQ/Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let dir: string;
  let spec: string;
  const workers: ChildProcess[] = [];
  const logs: string[] = [];

  const startWorker = (): ChildProcess => {
    // its own process group, so that killing it kills its training child too, as a machine's death would
    const w = spawn(process.execPath, [BIN, 'worker', '--queue', redis.url, '--lock-seconds', '3'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const n = workers.push(w) - 1;
    logs[n] = '';
    w.stdout!.on('data', (d) => (logs[n] += d));
    w.stderr!.on('data', (d) => (logs[n] += d));
    return w;
  };

  const until = async (what: string, ok: () => boolean, seconds: number): Promise<void> => {
    for (let t = 0; t < seconds * 4; t++) {
      if (ok()) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}; worker logs:\n${logs.join('\n---\n')}`);
  };

  beforeAll(async () => {
    if (missing) throw new Error(`R2U_REQUIRE_SYSTEM=1 but ${missing}`);
    redis = await startRedis();
    dir = await mkdtemp(join(tmpdir(), 'r2u-queue-'));
    spec = join(dir, 'tiny.r2u');
    await writeFile(spec, TINY_SWEEP);
  });

  afterAll(async () => {
    for (const w of workers) {
      if (w.exitCode !== null || w.signalCode !== null) continue;
      process.kill(-w.pid!, 'SIGTERM');
      await new Promise((r) => w.once('exit', r));
    }
    await redis?.stop();
  });

  it('enqueues once, survives a killed worker, retries then fails, summarises, and matches a local run', async () => {
    const out = join(dir, 'family');
    const enqueue = () => r2u('sweep', 'run', spec, '--out', out, '--queue', redis.url, '--attempts', '2', '--backoff', '200');
    const first = await enqueue();
    expect(first.err).toBe('');
    expect(first.out).toMatch(/enqueued 4 of 4 trials/);
    expect((await enqueue()).out).toMatch(/enqueued 0 of 4 trials/);

    // the first worker is killed (with its training child) as soon as a trial has started
    const doomed = startWorker();
    await until('a worker to start a trial', () => /: training \(attempt 1\)/.test(logs[0]), 120);
    process.kill(-doomed.pid!, 'SIGKILL');
    startWorker();
    const summary = join(out, 'comparison.json');
    await until('the summary', () => existsSync(summary), 420);

    const result = JSON.parse(readFileSync(summary, 'utf8'));
    expect(result).toMatchObject({ finished: 2, failed: 2 });
    const family = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    const states = family.trials.map((t: { state: { status: string; attempts: number } }) => t.state);
    expect(states.map((s: { status: string }) => s.status)).toEqual(['done', 'done', 'failed', 'failed']);
    // a failing trial: tried, retried after the backoff, then reported failed
    expect(states[2].attempts).toBe(2);
    expect(logs[1]).toMatch(/attempt 2 failed: .*no-such-folder/);
    // the killed worker's trial was taken over by the other worker
    expect(logs[1]).toMatch(/: training \(attempt 2\)/);

    const status = await r2u('sweep', 'status', out, '--queue', redis.url);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/completed/);
    expect(status.out).toMatch(/failed \(attempts 2\)/);
    // the spec finds its family folder as sweep run does
    expect((await r2u('sweep', 'status', spec, '--out', out, '--queue', redis.url)).out).toBe(status.out);

    // the same trials trained here give the same metrics
    const local = join(dir, 'local');
    expect((await r2u('sweep', 'run', spec, '--out', local)).code).toBe(3);
    const queued = JSON.parse((await r2u('compare', out, '--format', 'json')).out);
    const here = JSON.parse((await r2u('compare', local, '--format', 'json')).out);
    expect(queued.runs.map((r: { metrics: object }) => r.metrics)).toEqual(here.runs.map((r: { metrics: object }) => r.metrics));
    expect((await r2u('compare', out)).out.replaceAll(out, '')).toBe((await r2u('compare', local)).out.replaceAll(local, ''));
  }, 900_000);
});
