// Which epoch should a run keep: its best by Dice on a few validation images,
// or its last? The reference picks its checkpoint by Dice on two images (30
// and 35), so this asks the records how that choice does on images it did not
// see. For every k-fold trial that recorded its validation images' scores,
// and every way of splitting its four images into two that choose and two
// that score, it compares the two scoring images' mean Dice (and AUC) at the
// epoch the choosing pair likes best, at the last epoch, and at the epoch the
// scoring pair itself likes best (an oracle, the optimism of scoring an
// epoch on the images that chose it). No training, no data: the families'
// metrics.jsonl only. (Two recipes compared with no figure chosen by the image
// it scores: `r2u compare BASELINE FAMILY --at heldout`.)
//
//   npx tsx scripts/epoch-choice.ts FAMILY…     e.g. results/drive-kfold-seeds
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface ImageScores {
  readonly dice: number;
  readonly auc: number;
}
interface Epoch {
  readonly epoch: number;
  readonly val_images?: Readonly<Record<string, ImageScores>>;
}

const { positionals: families } = parseArgs({ allowPositionals: true });
if (families.length === 0) {
  console.error('usage: npx tsx scripts/epoch-choice.ts FAMILY…');
  process.exit(2);
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const pairsOf = <T>(xs: readonly T[]): T[][] => xs.flatMap((x, i) => xs.slice(i + 1).map((y) => [x, y]));
const argmax = <T>(xs: readonly T[], f: (x: T) => number): T => xs.reduce((b, x) => (f(x) > f(b) ? x : b));

interface Trial {
  readonly name: string;
  readonly epochs: readonly Epoch[];
}

/** The finished trials (done.json) of a family that recorded their validation images' scores. */
async function trialsOf(family: string): Promise<Trial[]> {
  const dir = join(family, 'trials');
  const found: Trial[] = [];
  for (const trial of (await readdir(dir)).sort()) {
    if (!existsSync(join(dir, trial, 'done.json'))) continue;
    const text = await readFile(join(dir, trial, 'metrics.jsonl'), 'utf8').catch(() => '');
    const epochs = text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Epoch);
    if (epochs.length === 0 || epochs.some((e) => e.val_images === undefined)) continue;
    found.push({ name: `${family}/${trial}`, epochs });
  }
  return found;
}

const on = (e: Epoch, ids: readonly string[], m: keyof ImageScores): number => mean(ids.map((i) => e.val_images![i][m]));
/** every split of a trial's validation images into a choosing pair and the scoring rest */
const splitsOf = (t: Trial): Array<{ choosing: string[]; scoring: string[] }> => {
  const images = Object.keys(t.epochs[0].val_images!).sort();
  return pairsOf(images).map((choosing) => ({ choosing, scoring: images.filter((i) => !choosing.includes(i)) }));
};
const chosenBy = (t: Trial, choosing: readonly string[]): Epoch => argmax(t.epochs, (e) => on(e, choosing, 'dice'));
const lastOf = (t: Trial): Epoch => t.epochs[t.epochs.length - 1];

const f = (x: number): string => x.toFixed(4);
const s = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}`;
const candidates = (await Promise.all(families.map(trialsOf))).flat();
if (candidates.length === 0) {
  console.error('no trial recorded its validation images’ scores (val_images in metrics.jsonl)');
  process.exit(1);
}

const outcomes = candidates.flatMap((t) =>
  splitsOf(t).map(({ choosing, scoring }) => {
    const chosen = chosenBy(t, choosing);
    const last = lastOf(t);
    const oracle = argmax(t.epochs, (e) => on(e, scoring, 'dice'));
    return { run: t.name, chosen: on(chosen, scoring, 'dice'), last: on(last, scoring, 'dice'), oracle: on(oracle, scoring, 'dice'), aucChosen: on(chosen, scoring, 'auc'), aucLast: on(last, scoring, 'auc') };
  }),
);
const perRun = candidates.map((t) => mean(outcomes.filter((o) => o.run === t.name).map((o) => o.last - o.chosen)));
const diff = outcomes.map((o) => o.last - o.chosen);
console.log(`${candidates.length} runs, ${outcomes.length} splits of each run's validation images into 2 that choose the epoch and 2 that score it`);
console.log(`Dice on the scoring pair: at the choosing pair's best epoch ${f(mean(outcomes.map((o) => o.chosen)))}, at the last epoch ${f(mean(outcomes.map((o) => o.last)))}, at its own best (oracle) ${f(mean(outcomes.map((o) => o.oracle)))}`);
console.log(`last − chosen: Dice ${s(mean(diff))} (last better in ${diff.filter((d) => d > 0).length}, equal in ${diff.filter((d) => d === 0).length}, worse in ${diff.filter((d) => d < 0).length} splits; better in ${perRun.filter((d) => d > 0).length} of ${candidates.length} runs on average), AUC ${s(mean(outcomes.map((o) => o.aucLast - o.aucChosen)))}`);
console.log(`per run: ${perRun.map(s).join(' ')}`);
