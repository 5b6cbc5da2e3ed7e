// Engine benchmark: GFLOP/s of the convolution kernels at the seed-shaped
// R2U-Net's shapes (r2u's wasm kernels vs the stock wasm and cpu kernels),
// then training patches/s of that network, in both recurrent formulations,
// on one core (one worker, one XNNPACK thread) and on two (two data-parallel
// workers), and full-image inference time on one core. `r2u bench` gives the
// figures as shipped (inference on a pool of one XNNPACK thread per core).
//
//   npx tsx bench/engine.ts [--steps N] [--json]
//
// Numbers depend on what else the machine is running; run it on a quiet one.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_EXPERIMENT } from '../src/spec/defaults.js';
import { initBackend } from '../src/runtime/backend.js';
import { formatBench, runBench, type BenchResult } from '../src/runtime/bench.js';
import type { ExperimentConfig } from '../src/spec/config.js';

// the stock wasm input-gradient kernel, captured before initBackend replaces it
const stockInputGrad = tf.getKernel('Conv2DBackpropInput', 'wasm')!;

interface Shape {
  n: number;
  hw: number;
  ci: number;
  co: number;
}
interface KernelTiming {
  backend: string;
  kernel: string;
  shape: string;
  ms: number;
  gflops: number;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const stepsArg = args.indexOf('--steps');
const steps = stepsArg >= 0 ? Number(args[stepsArg + 1]) : 8;

/** median wall time of `reps` runs of f (after one warm-up), reading the result back */
function time(f: () => tf.TensorInfo, reps: number): number {
  const backend = tf.backend();
  const run = () => {
    const out = f();
    backend.readSync(out.dataId);
    backend.disposeData(out.dataId);
  };
  run();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[reps >> 1];
}

function convKernels(backendName: string, s: Shape, reps: number, stock: boolean): KernelTiming[] {
  const x = tf.randomNormal([s.n, s.hw, s.hw, s.ci]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, s.ci, s.co]) as tf.Tensor4D;
  const dy = tf.randomNormal([s.n, s.hw, s.hw, s.co]) as tf.Tensor4D;
  const flops = 2 * s.n * s.hw * s.hw * s.ci * s.co * 9;
  const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC' } as const;
  const label = `${s.n}x${s.hw}x${s.hw}x${s.ci}->${s.co} 3x3`;
  const out: KernelTiming[] = [];
  const add = (kernel: string, ms: number) => out.push({ backend: backendName, kernel, shape: label, ms, gflops: flops / ms / 1e6 });
  add('forward', time(() => tf.conv2d(x, w, 1, 'same'), reps));
  add('input-grad', time(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor, reps));
  add('filter-grad', time(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor, reps));
  if (stock) {
    const backend = tf.backend();
    stockInputGrad.setupFunc?.(backend);
    const call = () =>
      stockInputGrad.kernelFunc({ inputs: { dy, filter: w }, attrs: { ...attrs, inputShape: x.shape }, backend }) as tf.TensorInfo;
    add('input-grad (stock wasm)', time(call, Math.max(1, reps >> 1)));
  }
  tf.dispose([x, w, dy]);
  return out;
}

// the seed report's network: depth 3, 16 filters, t = 2, transposed convolutions, 1 x 48 x 48, batch 32, Adam
const reference: ExperimentConfig = {
  ...DEFAULT_EXPERIMENT,
  data: { ...DEFAULT_EXPERIMENT.data, preprocess: [{ op: 'grayscale', mode: 'green' }] },
};
const shared: ExperimentConfig = { ...reference, model: { ...reference.model, recurrence: 'shared' } };
const { depth, filters } = reference.model;
const shapes: Shape[] = Array.from({ length: depth + 1 }, (_, l) => ({
  n: reference.train.batch,
  hw: 48 / 2 ** l,
  ci: filters * 2 ** l,
  co: filters * 2 ** l,
}));

const kernels: KernelTiming[] = [];
// one XNNPACK thread in this process: kernel figures are per core, and one worker is one core
await initBackend('wasm', { wasmThreads: 1 });
for (const s of shapes) kernels.push(...convKernels('wasm', s, 5, true));
await initBackend('cpu');
// the cpu backend is ~1000x slower: time it on a tiny shape only
kernels.push(...convKernels('cpu', { n: 2, hw: 12, ci: 8, co: 8 }, 1, false));

const training: Array<BenchResult & { recurrence: string }> = [];
for (const config of [reference, shared]) {
  for (const workers of [1, 2]) {
    const log = json ? undefined : (line: string) => process.stderr.write(`  ${line}\n`);
    training.push({ ...(await runBench(config, { steps, warmup: 2, workers, backend: 'wasm', log })), recurrence: config.model.recurrence });
  }
}

if (json) {
  process.stdout.write(`${JSON.stringify({ kernels, training })}\n`);
} else {
  const rows = kernels.map((k) => `${k.backend.padEnd(5)} ${k.kernel.padEnd(24)} ${k.shape.padEnd(26)} ${k.ms.toFixed(1).padStart(9)} ms ${k.gflops.toFixed(2).padStart(7)} GFLOP/s`);
  process.stdout.write(['kernels (median of runs):', ...rows, ''].join('\n'));
  for (const r of training) process.stdout.write(`\nrecurrence ${r.recurrence}, ${r.workers === 1 ? 'one core' : `${r.workers} cores`}\n${formatBench(r)}\n`);
  for (let i = 0; i < training.length; i += 2) {
    const [one, two] = [training[i], training[i + 1]];
    process.stdout.write(`\nrecurrence ${one.recurrence}: scaling 1 -> 2 workers x${(two.trainPatchesPerSec / one.trainPatchesPerSec).toFixed(2)}\n`);
  }
}
