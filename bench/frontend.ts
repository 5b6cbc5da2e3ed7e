// Front-end speed: parse + resolve + validate in-process for the reference
// spec and a generated 2,000-line spec, and `r2u check` as a process.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadExperimentSync } from '../src/compiler/index.js';
import { largeSpec } from './large-spec.js';
import { machineLine, stats } from './machine.js';

function timeInProcess(name: string, text: string, runs: number): number[] {
  for (let i = 0; i < 20; i++) loadExperimentSync(name, { text }); // warm-up (JIT)
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = loadExperimentSync(name, { text });
    samples.push(performance.now() - t0);
    if (!r.config) throw new Error(`${name} did not validate`);
  }
  return samples;
}

const reference = readFileSync('specs/drive-r2unet-single.r2u', 'utf8');
const large = largeSpec(2000);
console.log(`## front end (${machineLine()})`);
const ref = stats(timeInProcess('specs/drive-r2unet-single.r2u', reference, 500));
console.log(`parse+validate, reference spec (${reference.split('\n').length} lines): median ${ref.median.toFixed(3)} ms, min ${ref.min.toFixed(3)} ms`);
const big = stats(timeInProcess('large.r2u', large, 30));
console.log(`parse+validate, generated spec (${large.split('\n').length} lines): median ${big.median.toFixed(2)} ms, min ${big.min.toFixed(2)} ms`);

function wall(args: string[], runs: number): ReturnType<typeof stats> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    samples.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  }
  return stats(samples);
}
const node = wall(['-e', '0'], 5);
const check = wall(['bin/r2u.mjs', 'check', 'specs/drive-r2unet-single.r2u'], 5);
console.log(`process: node -e 0 median ${node.median.toFixed(0)} ms; r2u check specs/drive-r2unet-single.r2u median ${check.median.toFixed(0)} ms (tsx loader + modules: ${(check.median - node.median).toFixed(0)} ms)`);
