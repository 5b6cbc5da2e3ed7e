// Inference choices measured over a family of runs (the folds of a k-fold
// sweep, or seeds): every trial's best checkpoint is evaluated on its own
// validation images with each variant of the eval settings, through
// `r2u eval`, and each variant's scores are summarised as mean ± std over the
// trials. Deciding TTA or sliding-window inference this way costs inference
// only: the trials are trained once.
//
//   npx tsx scripts/eval-variants.ts FAMILY_DIR [--variant NAME=eval.key=value[,eval.key=value]]... [--format md|json]
//   (a variant with nothing after `=` is the trained spec's own eval settings)
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { meanAndStd } from '../src/cli/run-comparison.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { variant: { type: 'string', multiple: true }, format: { type: 'string', default: 'md' } },
});
if (positionals.length !== 1 || !['md', 'json'].includes(values.format!)) {
  console.error('usage: npx tsx scripts/eval-variants.ts FAMILY_DIR [--variant NAME=eval.key=value[,…]]... [--format md|json]');
  process.exit(2);
}
const family = resolve(positionals[0]);
const variants = (values.variant ?? ['spec=']).map((v) => {
  const at = v.indexOf('=');
  if (at < 1) {
    console.error(`--variant ${v}: expected NAME=eval.key=value[,eval.key=value] (or NAME= for the spec's own settings)`);
    process.exit(2);
  }
  return { name: v.slice(0, at), sets: v.slice(at + 1).split(',').filter((s) => s !== '') };
});

const trialsDir = join(family, 'trials');
const trials = (await readdir(trialsDir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory() || d.isSymbolicLink()).map((d) => d.name).sort();
if (trials.length === 0) {
  console.error(`${family}: no trials/ folder with runs (a family folder of r2u sweep run)`);
  process.exit(2);
}

interface Scores {
  /** mean of per-image Dice */
  dice: number;
  /** Dice over the pooled pixels of the trial's validation images */
  pooledDice: number;
  sensitivity: number;
  specificity: number;
  accuracy: number;
  /** mean of per-image AUCs */
  auc: number;
  /** AUC over the pooled pixels of the trial's validation images */
  pooledAuc: number;
  /** the threshold that maximises the mean F1 on these images, and that F1 */
  bestThreshold: number;
  bestDice: number;
}

const run = promisify(execFile);
const bin = resolve(import.meta.dirname, '../bin/r2u.mjs');
async function evaluate(trial: string, sets: string[]): Promise<Scores> {
  const args = [bin, 'eval', join(trialsDir, trial), '--format', 'json', ...sets.flatMap((s) => ['--set', s])];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 64 << 20 });
  const r = JSON.parse(stdout);
  const mean = r.configured.mean;
  return {
    dice: mean.dice,
    pooledDice: r.configured.pooled.dice,
    sensitivity: mean.sensitivity,
    specificity: mean.specificity,
    accuracy: mean.accuracy,
    auc: mean.auc,
    pooledAuc: r.pooled_auc,
    bestThreshold: r.best_f1.threshold,
    bestDice: r.best_f1.mean.dice,
  };
}

const results: Array<{ variant: string; sets: string[]; trials: Record<string, Scores> }> = [];
for (const v of variants) {
  const perTrial: Record<string, Scores> = {};
  for (const t of trials) {
    perTrial[t] = await evaluate(t, v.sets);
    process.stderr.write(`${v.name} ${t}: Dice ${perTrial[t].dice.toFixed(4)}, AUC ${perTrial[t].auc.toFixed(4)}\n`);
  }
  results.push({ variant: v.name, sets: v.sets, trials: perTrial });
}

if (values.format === 'json') {
  process.stdout.write(`${JSON.stringify({ family, trials, results }, null, 2)}\n`);
} else {
  const meanStd = (xs: number[]) => {
    const { mean, std } = meanAndStd(xs);
    return `${mean.toFixed(4)} ± ${std.toFixed(4)}`;
  };
  const cols: Array<[string, keyof Scores]> = [
    ['Dice (threshold 0.5)', 'dice'],
    ['Dice (pooled)', 'pooledDice'],
    ['sensitivity', 'sensitivity'],
    ['specificity', 'specificity'],
    ['AUC (per image)', 'auc'],
    ['AUC (pooled)', 'pooledAuc'],
    ['best-F1 threshold', 'bestThreshold'],
    ['Dice at it', 'bestDice'],
  ];
  console.log(`${trials.length} trials of ${family}, mean ± std (sample) over trials\n`);
  console.log(`| variant | ${cols.map(([c]) => c).join(' | ')} |`);
  console.log(`|---|${cols.map(() => '---:').join('|')}|`);
  for (const r of results) {
    const label = r.sets.length === 0 ? `${r.variant} (the spec's eval)` : `${r.variant} (${r.sets.join(', ')})`;
    console.log(`| ${label} | ${cols.map(([, k]) => meanStd(Object.values(r.trials).map((s) => s[k]))).join(' | ')} |`);
  }
}
