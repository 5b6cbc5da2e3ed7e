// What thresholding and scales at inference could still give a family of
// runs: each trial's best checkpoint segments its own validation images (the
// trained spec's eval settings, `tta` as given), and each image's map is
// scored at 0.5 and at thresholds chosen per image: Otsu's of the map inside
// the FOV, the one at which the vessel count equals the map's sum (its
// expected count), and an oracle that picks the image's Dice-maximising
// threshold from its own labels (a ceiling, not a method). Two uses of
// connectivity follow: hysteresis (pixels above --hysteresis LO,HI's LO kept
// where 8-connected to one above HI, to keep faint vessels that join the
// tree), and the mask at 0.5 without its components under --min-component
// pixels (specks). The same images are then segmented resized by each --scale
// factor, the maps brought back to the image's size, and their mean with the
// map at 1 scored at 0.5.
//
//   npx tsx scripts/threshold-scale-variants.ts FAMILY_DIR [--tta none|flips|d4] [--hysteresis 0.4,0.6] [--min-component 20]
//     [--scale 0.9 --scale 1.1] [--format md|json]
//
// R2U_DRIVE_ROOT (or the run's recorded working directory) locates the data.
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { meanAndStd } from '../src/cli/run-comparison.js';
import { loadRawImages, resampleRaw, sharedValidation, type RawImage } from '../src/runtime/data/index.js';
import { resizeBilinear } from '../src/runtime/data/preprocess/resize.js';
import { bestF1Threshold, confusion, rankScores, scores } from '../src/runtime/eval/metrics.js';
import { loadPredictor, segmenterFor } from '../src/runtime/eval/predictor.js';
import { valuesOf, TTA_MODES, type TtaMode } from '../src/spec/vocabulary.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    tta: { type: 'string', default: 'd4' },
    hysteresis: { type: 'string', default: '0.4,0.6' },
    'min-component': { type: 'string', default: '20' },
    scale: { type: 'string', multiple: true },
    format: { type: 'string', default: 'md' },
  },
});
const scales = (values.scale ?? ['0.9', '1.1']).map(Number);
const [low, high] = values.hysteresis!.split(',').map(Number);
const minComponent = Number(values['min-component']);
if (
  positionals.length !== 1 ||
  !valuesOf(TTA_MODES).includes(values.tta as TtaMode) ||
  !['md', 'json'].includes(values.format!) ||
  scales.some((s) => !(s > 0)) ||
  !(low >= 0 && high >= low && high <= 1) ||
  !(Number.isInteger(minComponent) && minComponent >= 1)
) {
  console.error('usage: npx tsx scripts/threshold-scale-variants.ts FAMILY_DIR [--tta none|flips|d4] [--hysteresis LO,HI] [--min-component N] [--scale F]... [--format md|json]');
  process.exit(2);
}
const family = resolve(positionals[0]);
const trials = (await readdir(join(family, 'trials'), { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => d.name).sort();
if (trials.length === 0) {
  console.error(`${family}: no trials/ folder with runs (a family folder of r2u sweep run)`);
  process.exit(2);
}

/** Dice of `prob >= threshold` against the label, inside the FOV. */
const diceAt = (prob: Float32Array, img: RawImage, threshold: number): number => scores(confusion(prob, img.label!, img.fov, threshold)).dice;

/** The 8-connected components of the pixels `inside` accepts, each as its pixel indices. */
function components(width: number, height: number, inside: (i: number) => boolean): number[][] {
  const seen = new Uint8Array(width * height);
  const found: number[][] = [];
  for (let start = 0; start < seen.length; start++) {
    if (seen[start] || !inside(start)) continue;
    const pixels = [start];
    seen[start] = 1;
    for (let k = 0; k < pixels.length; k++) {
      const [x, y] = [pixels[k] % width, Math.floor(pixels[k] / width)];
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const [nx, ny] = [x + dx, y + dy];
          const j = ny * width + nx;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height || seen[j] || !inside(j)) continue;
          seen[j] = 1;
          pixels.push(j);
        }
    }
    found.push(pixels);
  }
  return found;
}

/** A map that is 1 on the components of `inside` that `keep` accepts, else 0 (scored at 0.5). */
function keepComponents(img: RawImage, inside: (i: number) => boolean, keep: (pixels: number[]) => boolean): Float32Array {
  const kept = new Float32Array(img.width * img.height);
  for (const pixels of components(img.width, img.height, inside)) if (keep(pixels)) for (const i of pixels) kept[i] = 1;
  return kept;
}

/** Otsu's threshold of the map inside the FOV (256 bins). */
function otsu(prob: Float32Array, fov: Uint8Array): number {
  const hist = new Float64Array(256);
  let n = 0;
  for (let i = 0; i < prob.length; i++) if (fov[i]) (hist[Math.min(255, Math.floor(prob[i] * 256))]++, n++);
  let total = 0;
  for (let b = 0; b < 256; b++) total += b * hist[b];
  let [below, belowSum, best, at] = [0, 0, -1, 128];
  for (let b = 0; b < 255; b++) {
    below += hist[b];
    belowSum += b * hist[b];
    if (below === 0 || below === n) continue;
    const between = below * (n - below) * (belowSum / below - (total - belowSum) / (n - below)) ** 2;
    if (between > best) [best, at] = [between, b + 1];
  }
  return at / 256;
}

/** The threshold at which as many FOV pixels are called vessel as the map's probabilities sum to. */
function expectedCount(prob: Float32Array, fov: Uint8Array): number {
  const inside = Float32Array.from(prob.filter((_, i) => fov[i] !== 0)).sort();
  const count = Math.round(inside.reduce((a, b) => a + b, 0));
  return count === 0 ? 1 : inside[inside.length - count];
}

const VARIANTS = [
  'at 0.5',
  'Otsu per image',
  'expected count per image',
  'oracle per image',
  `hysteresis ${low} / ${high}`,
  `at 0.5 without components under ${minComponent} pixels`,
  `scales 1, ${scales.join(', ')}`,
] as const;
const perTrial: Array<Record<(typeof VARIANTS)[number], number>> = [];
for (const trial of trials) {
  const predictor = await loadPredictor(join(family, 'trials', trial, 'checkpoints', 'best'));
  const spec = { ...predictor.spec, eval: { ...predictor.spec.eval, tta: values.tta as TtaMode, scale: 'none' as const } };
  const segmenter = segmenterFor(predictor, spec);
  const images = sharedValidation((await loadRawImages(spec.data, { subset: 'training', baseDir: process.cwd() })).images, [spec])!;
  const rows: number[][] = [];
  for (const img of images) {
    const prob = (await segmenter.segment(img)).prob;
    const maps = [prob];
    for (const s of scales) {
      const to = { width: Math.round(img.width * s), height: Math.round(img.height * s) };
      maps.push(resizeBilinear((await segmenter.segment(resampleRaw(img, to, { label: false }))).prob, to.width, to.height, 1, img.width, img.height));
    }
    const mean = prob.map((_, i) => maps.reduce((a, m) => a + m[i], 0) / maps.length);
    rows.push([
      diceAt(prob, img, 0.5),
      diceAt(prob, img, otsu(prob, img.fov)),
      diceAt(prob, img, expectedCount(prob, img.fov)),
      bestF1Threshold(rankScores(prob, img.label!, img.fov)).f1,
      diceAt(keepComponents(img, (i) => prob[i] >= low, (pixels) => pixels.some((i) => prob[i] >= high)), img, 0.5),
      diceAt(keepComponents(img, (i) => prob[i] >= 0.5, (pixels) => pixels.length >= minComponent), img, 0.5),
      diceAt(mean, img, 0.5),
    ]);
  }
  perTrial.push(Object.fromEntries(VARIANTS.map((v, k) => [v, rows.reduce((a, r) => a + r[k], 0) / rows.length])) as (typeof perTrial)[number]);
  predictor.dispose();
  console.error(`${trial}: ${images.map((im) => im.id).join(', ')} (${predictor.backend.description})`);
}

const summary = VARIANTS.map((v) => ({ variant: v, ...meanAndStd(perTrial.map((t) => t[v])), change: meanAndStd(perTrial.map((t) => t[v] - t['at 0.5'])).mean }));
if (values.format === 'json') console.log(JSON.stringify({ family, tta: values.tta, trials, summary }, null, 2));
else {
  console.log(`| variant (${trials.length} trials, tta ${values.tta}) | mean Dice ± std over the trials | change |`);
  console.log('|---|---:|---:|');
  for (const s of summary) console.log(`| ${s.variant} | ${s.mean.toFixed(4)} ± ${s.std.toFixed(4)} | ${s.change >= 0 ? '+' : '−'}${Math.abs(s.change).toFixed(4)} |`);
}
