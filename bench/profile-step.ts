// Per-kernel profile of one training step of a spec's model on the wasm
// backend, in this process (one XNNPACK thread unless --threads): where the
// step's time goes.
//
//   npx tsx bench/profile-step.ts [spec.r2u] [--steps N] [--shapes] [--infer] [--threads N] [--backend native]
//
// --shapes splits convolutions by operand shapes; --infer profiles one
// full-image inference instead of a training step.
//
// Each registered wasm kernel is wrapped with a timer; time spent in kernels
// that a composite kernel calls is charged to the inner kernel (self time)
// and listed as `outer > inner`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_EXPERIMENT } from '../src/spec/defaults.js';
import { loadExperiment } from '../src/compiler/load.js';
import { initBackend } from '../src/runtime/backend.js';
import type { ExperimentConfig } from '../src/spec/config.js';
import { createTrainEngine } from '../src/runtime/engine/index.js';
import { inputChannels } from '../src/runtime/data/index.js';
import { machineLine } from './machine.js';

const args = process.argv.slice(2);
const stepsAt = args.indexOf('--steps');
const steps = stepsAt >= 0 ? Number(args[stepsAt + 1]) : 3;
const specPath = args.find((a, i) => !a.startsWith('--') && !['--steps', '--threads', '--backend'].includes(args[i - 1]));

let config: ExperimentConfig = { ...DEFAULT_EXPERIMENT, data: { ...DEFAULT_EXPERIMENT.data, preprocess: [{ op: 'grayscale', mode: 'green' }] } };
if (specPath) {
  const loaded = await loadExperiment(specPath);
  if (loaded.config === undefined) throw new Error(`${specPath} does not check: run r2u check ${specPath}`);
  config = loaded.config;
}

const threadsAt = args.indexOf('--threads');
const backendAt = args.indexOf('--backend');
const backend = backendAt >= 0 && args[backendAt + 1] === 'native' ? 'native' : 'wasm';
const info = await initBackend(backend, { wasmThreads: threadsAt >= 0 ? Number(args[threadsAt + 1]) : 1 });
const totals = new Map<string, { ms: number; calls: number }>();
/** the kernels running now, innermost last, with the time their nested kernels took */
const frames: Array<{ name: string; nested: number }> = [];
let recording = false;
const byShape = args.includes('--shapes');
const shapeOf = (a: { inputs: Record<string, tf.TensorInfo | undefined> }) =>
  Object.entries(a.inputs)
    .filter(([, t]) => t !== undefined && t.shape.length === 4)
    .map(([name, t]) => `${name}:${t!.shape.join('x')}`)
    .join(' ');
for (const k of tf.getKernelsForBackend('wasm')) {
  const inner = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({
    ...k,
    kernelFunc: (a) => {
      if (!recording) return inner(a);
      const outer = frames.at(-1);
      let key = outer ? `${outer.name} > ${k.kernelName}` : k.kernelName;
      if (byShape && /Conv2D/.test(k.kernelName)) key += ` ${shapeOf(a)}`;
      const frame = { name: k.kernelName, nested: 0 };
      frames.push(frame);
      const t0 = performance.now();
      const out = inner(a);
      const dt = performance.now() - t0;
      frames.pop();
      if (outer) outer.nested += dt;
      const e = totals.get(key) ?? { ms: 0, calls: 0 };
      e.ms += dt - frame.nested;
      e.calls++;
      totals.set(key, e);
      return out;
    },
  });
}

const channels = inputChannels(config.data);
const [h, w] = config.data.patches.size;
const n = config.train.batch;
// the real training step: one in-process engine, its optimizer and loss
const engine = await createTrainEngine({ config, inputChannels: channels, workers: 1, backend });
const x = Float32Array.from({ length: n * h * w * channels }, () => Math.random());
const y = Float32Array.from({ length: n * h * w }, () => (Math.random() < 0.12 ? 1 : 0));
const infer = args.includes('--infer');
// one full DRIVE-sized image (584x565 padded to a multiple of 2^depth), inference mode
const m = 2 ** config.model.depth;
const [ih, iw] = [Math.ceil(584 / m) * m, Math.ceil(565 / m) * m];
const image = infer ? Float32Array.from({ length: ih * iw * channels }, () => Math.random()) : null;
const run = async (): Promise<unknown> => (image !== null ? engine.predict(image, 1, ih, iw) : engine.step(x, y, n, h, w));
await run();
await run();
recording = true;
const t0 = performance.now();
for (let i = 0; i < steps; i++) await run();
const wall = (performance.now() - t0) / steps;
recording = false;

const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
const inKernels = rows.reduce((s, [, e]) => s + e.ms, 0) / steps;
console.log(`${machineLine()}; ${info.description}; ${config.model.arch} filters ${config.model.filters} t ${config.model.t} recurrence ${config.model.recurrence}; batch ${n} of ${h}x${w}`);
console.log(`${infer ? 'full-image inference' : 'training step'} ${wall.toFixed(0)} ms${infer ? '' : ` (${((n * 1000) / wall).toFixed(1)} patches/s)`}; in kernels ${inKernels.toFixed(0)} ms`);
for (const [name, e] of rows.slice(0, byShape ? 80 : 25)) {
  console.log(`${name.padEnd(byShape ? 90 : 40)} ${(e.ms / steps).toFixed(1).padStart(8)} ms ${((100 * e.ms) / steps / wall).toFixed(1).padStart(5)}% ${String(e.calls / steps).padStart(5)} calls`);
}
await engine.dispose();
