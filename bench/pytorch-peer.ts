// r2u against PyTorch on the same CPU, in one run: the seed-shaped R2U-Net
// with the peer's structure (16 filters, shared recurrence, batch norm,
// transposed convolutions, batch 32 of 48x48) trained and run for inference
// by r2u (native backend, then wasm for reference) and by
// ../shared/peers/pytorch_r2unet_bench.py (PyTorch CPU, 2 threads),
// alternated over rounds, each process under /usr/bin/time -v for its peak RSS.
// Training memory is compared on its own: PyTorch's --mode train process
// against r2u's peak when its training steps end (before any inference).
// Prints patches/s, the ratio to PyTorch, effective GFLOP/s (3 x forward FLOPs
// for training) and the share of the machine's FMA peak from lscpu.
//
//   npx tsx bench/pytorch-peer.ts [--rounds N] [--steps N] [--backends native,wasm] [--workers N]
//   (a backend may name its own worker count: --backends native:1,native:2)
//   (internally: --child BACKEND WORKERS STEPS prints one JSON BenchResult)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_EXPERIMENT } from '../src/spec/defaults.js';
import type { BackendName, ExperimentConfig } from '../src/spec/config.js';
import { machineLine, stats } from './machine.js';

// the project's peers sit beside the checkout, in ../shared/peers
const PEER = process.env.R2U_PYTORCH_PEER ?? resolve('../shared/peers/pytorch_r2unet_bench.py');
const PYTHON = '/usr/bin/python3';
const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);

/** the peer's structure, on the reference pipeline's patch shape */
const peerShaped: ExperimentConfig = {
  ...DEFAULT_EXPERIMENT,
  data: { ...DEFAULT_EXPERIMENT.data, preprocess: [{ op: 'grayscale', mode: 'green' }] },
  model: { ...DEFAULT_EXPERIMENT.model, filters: 16, t: 2, recurrence: 'shared', norm: 'batch', upsample: 'transpose' },
};

if (args[0] === '--child') {
  const { runBench } = await import('../src/runtime/bench.js');
  const [, backend, workers, steps] = args;
  const r = await runBench(peerShaped, { steps: Number(steps), warmup: 2, workers: Number(workers), backend: backend as BackendName, inferPatches: 64 });
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
}

/** cores x GHz x FLOP/cycle (two FMA pipes: 64 with AVX-512, 32 with AVX2+FMA, 16 with AVX) */
function peak(): { gflops: number; formula: string } {
  const lscpu = spawnSync('lscpu', { encoding: 'utf8' }).stdout ?? '';
  const field = (name: string) => lscpu.match(new RegExp(`^${name}:\\s*(.+)$`, 'm'))?.[1].trim();
  const cores = Number(field('Core\\(s\\) per socket') ?? 1) * Number(field('Socket\\(s\\)') ?? 1);
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const mhz = Number(field('CPU max MHz') ?? cpuinfo.match(/^cpu MHz\s*:\s*([\d.]+)/m)?.[1] ?? 2000);
  const flags = field('Flags') ?? '';
  const has = (f: string) => new RegExp(`\\b${f}\\b`).test(flags);
  const [perCycle, isa] = has('avx512f') ? [64, 'AVX-512'] : has('avx2') && has('fma') ? [32, 'AVX2+FMA'] : has('avx') ? [16, 'AVX'] : [8, 'SSE'];
  const gflops = (cores * mhz * perCycle) / 1000;
  return { gflops, formula: `${cores} cores x ${(mhz / 1000).toFixed(2)} GHz x ${perCycle} FLOP/cycle (${isa}) = ${gflops.toFixed(0)} GFLOP/s` };
}

/** runs a command under /usr/bin/time -v; its stdout and peak RSS (MiB) */
function timed(cmd: string, cmdArgs: string[]): { stdout: string; rssMiB: number } {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...cmdArgs], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const kb = Number(r.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/)?.[1] ?? NaN);
  return { stdout: r.stdout, rssMiB: kb / 1024 };
}

interface Row {
  who: string;
  trainPps: number;
  trainGflops: number;
  inferPps: number;
  inferGflops: number;
  imageSeconds?: number;
  /** peak RSS of training alone */
  trainRssMiB: number;
  /** peak RSS of the whole run, training and inference */
  rssMiB: number;
}

function pytorch(steps: number): Row {
  const base = [PEER, '--config', 'A', '--variant', 'transpose', '--threads', '2', '--steps', String(steps), '--warmup', '2'];
  const train = timed(PYTHON, [...base, '--mode', 'train']);
  const infer = timed(PYTHON, [...base, '--mode', 'infer', '--infer-steps', String(steps)]);
  const num = (r: { stdout: string }, re: RegExp) => Number(r.stdout.match(re)?.[1] ?? NaN);
  return {
    who: 'PyTorch (2 threads)',
    trainPps: num(train, /TRAIN .*patches\/s=([\d.]+)/),
    trainGflops: num(train, /TRAIN .*eff_GFLOP\/s\(3x fwd\)=([\d.]+)/),
    inferPps: num(infer, /INFER .*patches\/s=([\d.]+)/),
    inferGflops: num(infer, /INFER .*eff_GFLOP\/s=([\d.]+)/),
    trainRssMiB: train.rssMiB,
    rssMiB: Math.max(train.rssMiB, infer.rssMiB),
  };
}

function r2u(backend: string, workers: number, steps: number): Row {
  const r = timed(process.execPath, ['--import', 'tsx', 'bench/pytorch-peer.ts', '--child', backend, String(workers), String(steps)]);
  const b = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as import('../src/runtime/bench.js').BenchResult;
  return {
    who: `r2u ${b.backendDescription}, ${b.gradients}`,
    trainPps: b.trainPatchesPerSec,
    trainGflops: b.trainGflopsPerSec,
    inferPps: b.inferPatchesPerSec ?? NaN,
    inferGflops: ((b.inferPatchesPerSec ?? NaN) * b.flopsPerPatch) / 1e9,
    imageSeconds: b.inferImageSeconds,
    trainRssMiB: b.trainPeakRssMiB,
    rssMiB: r.rssMiB,
  };
}

const rounds = Number(opt('--rounds', '2'));
const steps = Number(opt('--steps', '5'));
const workers = Number(opt('--workers', '2'));
const backends = opt('--backends', 'native,wasm').split(',');
const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const peerMissing = !fs.existsSync(PEER)
  ? `${PEER} not found (set R2U_PYTORCH_PEER)`
  : probe.status !== 0
    ? `${PYTHON} cannot import torch (apt-get install python3-torch)`
    : null;
if (peerMissing !== null) console.log(`PyTorch peer unavailable, r2u figures only: ${peerMissing}`);
const p = peak();
console.log(`r2u vs PyTorch on ${machineLine()}; peak ${p.formula}`);
console.log(`network: R2U-Net, 16 filters, t 2, shared recurrence, batch norm, transposed convolutions, batch 32 of 48x48 (PyTorch --config A --variant transpose)`);
const rows = new Map<string, Row[]>();
for (let round = 0; round < rounds; round++) {
  // alternate who goes first, so that neither always meets the same background load
  const order = peerMissing !== null ? backends : round % 2 === 0 ? ['pytorch', ...backends] : [...backends, 'pytorch'];
  for (const who of order) {
    const [backend, ownWorkers] = who.split(':');
    const row = who === 'pytorch' ? pytorch(steps) : r2u(backend, ownWorkers === undefined ? workers : Number(ownWorkers), steps);
    const key = who === 'pytorch' ? 'pytorch' : who;
    rows.set(key, [...(rows.get(key) ?? []), row]);
    console.log(
      `round ${round + 1}: ${row.who}: train ${row.trainPps.toFixed(1)} patches/s, infer ${row.inferPps.toFixed(1)} patches/s${row.imageSeconds === undefined ? '' : `, one DRIVE image ${row.imageSeconds.toFixed(2)} s`}, peak RSS ${row.trainRssMiB.toFixed(0)} MiB training, ${row.rssMiB.toFixed(0)} MiB in all`,
    );
  }
}

const torch = rows.get('pytorch');
/** the median, and the range when there is more than one round */
const range = (xs: number[], digits = 1) => {
  const s = stats(xs);
  const sorted = [...xs].sort((a, b) => a - b);
  const m = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  return xs.length > 1 ? `${median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : median.toFixed(digits);
};
console.log('\nmedian (range) over rounds; ratios are per round, against the PyTorch run of the same round');
for (const [key, rs] of rows) {
  const ratio = (f: (r: Row) => number, digits = 2) =>
    torch === undefined || key === 'pytorch' ? '' : `, x${range(rs.map((r, i) => f(r) / f(torch[i])), digits)} PyTorch`;
  const g = rs.map((r) => r.trainGflops);
  console.log(`${rs[0].who}`);
  console.log(
    `  train ${range(rs.map((r) => r.trainPps))} patches/s${ratio((r) => r.trainPps)}, ${range(g)} GFLOP/s = ${range(g.map((v) => (100 * v) / p.gflops))}% of peak`,
  );
  console.log(
    `  infer ${range(rs.map((r) => r.inferPps))} patches/s${ratio((r) => r.inferPps)}, ${range(rs.map((r) => r.inferGflops))} GFLOP/s` +
      `${rs[0].imageSeconds === undefined ? '' : `; one DRIVE image (584x568) ${range(rs.map((r) => r.imageSeconds!), 2)} s`}`,
  );
  console.log(`  peak RSS, training ${range(rs.map((r) => r.trainRssMiB), 0)} MiB${ratio((r) => r.trainRssMiB)}`);
  console.log(`  peak RSS, training and inference ${range(rs.map((r) => r.rssMiB), 0)} MiB${ratio((r) => r.rssMiB)}`);
}
