// `npm run bench`: every benchmark of the project, one after another (they
// would disturb each other in parallel), each printing the machine and backend
// it measured. Run it on an otherwise idle machine.
import { spawnSync } from 'node:child_process';
import { machineLine } from './machine.js';

const steps: Array<[title: string, command: string, args: string[]]> = [
  ['front end: parse + validate, r2u check as a process', 'tsx', ['bench/frontend.ts']],
  ['language server: diagnostics and completion latency, start-up', 'tsx', ['bench/lsp.ts']],
  ['code generation: per spec, with and without type-checking, 50 specs', 'tsx', ['bench/compile.ts']],
  ['experiment families: r2u sweep plan of a 1,000-trial grid (< 1 s); queue round trip on BullMQ/Redis (< 50 ms)', 'tsx', ['bench/sweep.ts']],
  ['data: DRIVE load + preprocess, sampler throughput, time waiting for data', 'tsx', ['bench/data.ts']],
  ['engine: kernel GFLOP/s per core; seed-shaped R2U-Net (16 filters, both recurrences) on one and two cores', 'tsx', ['bench/engine.ts', '--steps', '6']],
  ['the reference spec as shipped: r2u bench specs/drive-r2unet.r2u', 'node', ['bin/r2u.mjs', 'bench', 'specs/drive-r2unet.r2u', '--steps', '6']],
  [
    "against PyTorch in the same run: the peer's structure on native and wasm, alternated (ratio, GFLOP/s, share of peak, peak RSS)",
    'tsx',
    ['bench/pytorch-peer.ts', '--rounds', '2', '--steps', '5', '--backends', 'native,wasm'],
  ],
  ['inference: the shipped checkpoint on whole DRIVE and CHASE_DB1 images, in Node and in the browser page', 'tsx', ['bench/inference.ts']],
];

console.log(`r2u benchmarks on ${machineLine()}\n`);
let failed = 0;
for (const [title, command, args] of steps) {
  console.log(`\n=== ${title}\n$ ${command} ${args.join(' ')}`);
  const bin = command === 'tsx' ? 'node_modules/.bin/tsx' : process.execPath;
  const r = spawnSync(bin, args, { stdio: 'inherit', env: { ...process.env, R2U_DRIVE_ROOT: process.env.R2U_DRIVE_ROOT ?? '../shared/data/DRIVE' } });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
