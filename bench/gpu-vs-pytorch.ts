// GPU benchmark: the seed-shaped R2U-Net (depth 3, 16 filters, t = 2,
// transposed convolutions, batch 32 of 1 x 48 x 48, Adam) trained on r2u's
// webgpu backend and on PyTorch CUDA on the same GPU, in the same run, for
// both recurrent formulations; then, with --train, the reference DRIVE spec
// trained end to end on webgpu (the aim: under 5 minutes).
//
//   npx tsx bench/gpu-vs-pytorch.ts [--steps N] [--python python3] [--train] [--json]
//
// Needs a GPU adapter (a software one is measured too, but says nothing about
// GPUs) and, for the PyTorch side, python3 with a CUDA build of torch.
import { spawnSync } from 'node:child_process';
import { DEFAULT_EXPERIMENT } from '../src/spec/defaults.js';
import { initBackend } from '../src/runtime/backend.js';
import { formatBench, runBench, type BenchResult } from '../src/runtime/bench.js';
import type { ExperimentConfig } from '../src/spec/config.js';
import { machineLine } from './machine.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const steps = Number(flag('--steps', '20'));
const python = flag('--python', 'python3');
const json = args.includes('--json');
const log = (line: string) => process.stderr.write(`${line}\n`);

interface TorchResult {
  framework: string;
  device: string;
  params: number;
  trainPatchesPerSec: number;
  inferImageSeconds: number;
}

const seedShaped: ExperimentConfig = { ...DEFAULT_EXPERIMENT, data: { ...DEFAULT_EXPERIMENT.data, preprocess: [{ op: 'grayscale', mode: 'green' }] } };

const backend = await initBackend('webgpu');
log(`${machineLine()}; ${backend.description}`);
const rows: Array<{ recurrence: string; r2u: BenchResult; torch: TorchResult | string }> = [];
for (const recurrence of ['paper', 'shared'] as const) {
  const config: ExperimentConfig = { ...seedShaped, model: { ...seedShaped.model, recurrence } };
  const r2u = await runBench(config, { steps, warmup: 3, workers: 1, backend: 'webgpu', image: [584, 565], log });
  const py = spawnSync(python, ['bench/pytorch_r2unet.py', '--device', 'cuda', '--steps', String(steps), '--recurrence', recurrence], { encoding: 'utf8' });
  const torch: TorchResult | string = py.status === 0 ? (JSON.parse(py.stdout.trim().split('\n').pop() ?? '') as TorchResult) : `PyTorch did not run: ${(py.stderr || String(py.error)).trim().split('\n').pop()}`;
  rows.push({ recurrence, r2u, torch });
}

let training: { seconds: number; status: number | null } | null = null;
if (args.includes('--train')) {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, ['bin/r2u.mjs', 'train', 'specs/drive-r2unet-single.r2u', '--backend', 'webgpu'], {
    stdio: 'inherit',
    env: { ...process.env, R2U_DRIVE_ROOT: process.env.R2U_DRIVE_ROOT ?? '../shared/data/DRIVE' },
  });
  training = { seconds: (performance.now() - t0) / 1000, status: run.status };
}

if (json) {
  process.stdout.write(`${JSON.stringify({ machine: machineLine(), adapter: backend.adapter, rows, training })}\n`);
} else {
  for (const { recurrence, r2u, torch } of rows) {
    process.stdout.write(`\nrecurrence ${recurrence}\n${formatBench(r2u)}\n`);
    if (typeof torch === 'string') process.stdout.write(`${torch}\n`);
    else {
      process.stdout.write(
        `${torch.framework} on ${torch.device}: ${torch.trainPatchesPerSec.toFixed(1)} patches/s, inference ${torch.inferImageSeconds.toFixed(3)} s` +
          `${torch.params === r2u.params ? '' : ` (parameters differ: ${torch.params} vs ${r2u.params})`}\n` +
          `r2u webgpu / PyTorch: training x${(r2u.trainPatchesPerSec / torch.trainPatchesPerSec).toFixed(2)}, inference x${(torch.inferImageSeconds / r2u.inferImageSeconds).toFixed(2)}\n`,
      );
    }
  }
  if (training !== null) process.stdout.write(`\nreference DRIVE spec trained on webgpu in ${(training.seconds / 60).toFixed(1)} min (exit ${training.status})\n`);
}
