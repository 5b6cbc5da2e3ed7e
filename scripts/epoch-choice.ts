// Which epoch should a run keep: its best by Dice on a few validation images,
// or its last? The reference picks its checkpoint by Dice on two images (30
// and 35), so this asks the records how that choice does on images it did not
// see. For every k-fold trial that recorded its validation images' scores,
// and every way of splitting its four images into two that choose and two
// that score, it compares the two scoring images' mean Dice (and AUC) at the
// epoch the choosing pair likes best, at the last epoch, and at the epoch the
// scoring pair itself likes best (an oracle, the optimism of scoring an
// epoch on the images that chose it). No training, no data: the families'
// metrics.jsonl only.
//
//   npx tsx scripts/epoch-choice.ts FAMILY…    e.g. results/drive-kfold-seeds
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ImageScores {
  readonly dice: number;
  readonly auc: number;
}
interface Epoch {
  readonly epoch: number;
  readonly val_images?: Readonly<Record<string, ImageScores>>;
}

const families = process.argv.slice(2);
if (families.length === 0) {
  console.error('usage: npx tsx scripts/epoch-choice.ts FAMILY…');
  process.exit(2);
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const pairsOf = <T>(xs: readonly T[]): T[][] => xs.flatMap((x, i) => xs.slice(i + 1).map((y) => [x, y]));
const argmax = <T>(xs: readonly T[], f: (x: T) => number): T => xs.reduce((b, x) => (f(x) > f(b) ? x : b));

interface Outcome {
  readonly run: string;
  readonly chosen: number;
  readonly last: number;
  readonly oracle: number;
  readonly aucChosen: number;
  readonly aucLast: number;
}
const outcomes: Outcome[] = [];
for (const family of families) {
  const trials = join(family, 'trials');
  for (const trial of (await readdir(trials)).sort()) {
    const text = await readFile(join(trials, trial, 'metrics.jsonl'), 'utf8').catch(() => '');
    const epochs = text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Epoch);
    if (epochs.length === 0 || epochs.some((e) => e.val_images === undefined)) continue;
    const images = Object.keys(epochs[0].val_images!).sort();
    for (const choosing of pairsOf(images)) {
      const scoring = images.filter((i) => !choosing.includes(i));
      const on = (e: Epoch, ids: readonly string[], m: keyof ImageScores) => mean(ids.map((i) => e.val_images![i][m]));
      const chosen = argmax(epochs, (e) => on(e, choosing, 'dice'));
      const last = epochs[epochs.length - 1];
      const oracle = argmax(epochs, (e) => on(e, scoring, 'dice'));
      outcomes.push({
        run: `${family}/${trial}`,
        chosen: on(chosen, scoring, 'dice'),
        last: on(last, scoring, 'dice'),
        oracle: on(oracle, scoring, 'dice'),
        aucChosen: on(chosen, scoring, 'auc'),
        aucLast: on(last, scoring, 'auc'),
      });
    }
  }
}
if (outcomes.length === 0) {
  console.error('no trial recorded its validation images’ scores (val_images in metrics.jsonl)');
  process.exit(1);
}

const runs = [...new Set(outcomes.map((o) => o.run))];
const perRun = runs.map((r) => mean(outcomes.filter((o) => o.run === r).map((o) => o.last - o.chosen)));
const diff = outcomes.map((o) => o.last - o.chosen);
const f = (x: number): string => x.toFixed(4);
const s = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}`;
console.log(`${runs.length} runs, ${outcomes.length} splits of each run's validation images into 2 that choose the epoch and 2 that score it`);
console.log(`Dice on the scoring pair: at the choosing pair's best epoch ${f(mean(outcomes.map((o) => o.chosen)))}, at the last epoch ${f(mean(outcomes.map((o) => o.last)))}, at its own best (oracle) ${f(mean(outcomes.map((o) => o.oracle)))}`);
console.log(`last − chosen: Dice ${s(mean(diff))} (last better in ${diff.filter((d) => d > 0).length}, equal in ${diff.filter((d) => d === 0).length}, worse in ${diff.filter((d) => d < 0).length} splits; better in ${perRun.filter((d) => d > 0).length} of ${runs.length} runs on average), AUC ${s(mean(outcomes.map((o) => o.aucLast - o.aucChosen)))}`);
console.log(`per run: ${perRun.map(s).join(' ')}`);
