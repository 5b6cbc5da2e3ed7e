// How much AUC does writing probability maps to PNG cost? Segments a run's
// validation images (or every image of a CHASE_DB1 folder) once, then scores
// the exact float32 maps and the same maps quantised as 16-bit PNGs (what
// `r2u predict` writes) and 8-bit PNGs (what it wrote before) would hold them.
// PNG is lossless, so quantising in memory equals reading the files back.
//
//   npx tsx scripts/map-quantisation.ts RUN [--chase DIR] [--backend NAME]
import { parseArgs } from 'node:util';
import { resolveCheckpointDir } from '../src/runtime/run/checkpoint.js';
import { loadPredictor, segmenterFor } from '../src/runtime/eval/predictor.js';
import { probabilityToGray16 } from '../src/runtime/report/png.js';
import { aucFromRanked, mergeRanked, rankScores, type RankedScores } from '../src/runtime/eval/metrics.js';
import { loadRawImages, splitImages, type RawImage } from '../src/runtime/data/index.js';
import type { BackendName } from '../src/spec/vocabulary.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { chase: { type: 'string' }, backend: { type: 'string' } } });
if (positionals.length !== 1) {
  console.error('usage: npx tsx scripts/map-quantisation.ts RUN [--chase DIR] [--backend NAME]');
  process.exit(2);
}

// png16 goes through the conversion `r2u predict` writes with; png8 is the same at 255 levels
const png8 = (prob: Float32Array): Float32Array => prob.map((p) => Math.round(Math.min(1, Math.max(0, p)) * 255) / 255);
const FORMS = { float32: (p: Float32Array) => p, png16: (p: Float32Array) => Float32Array.from(probabilityToGray16(p), (v) => v / 65535), png8 };
type Form = keyof typeof FORMS;

const checkpoint = await resolveCheckpointDir(positionals[0]);
const predictor = await loadPredictor(checkpoint, values.backend as BackendName | undefined);
const spec = predictor.spec;
let images: RawImage[];
let what: string;
if (values.chase !== undefined) {
  images = (await loadRawImages({ ...spec.data, dataset: { kind: 'chase_db1', root: values.chase, test: 0 } })).images;
  what = `every CHASE_DB1 image in ${values.chase}`;
} else {
  const all = (await loadRawImages(spec.data)).images;
  images = splitImages(all, spec.data.split, spec.seed).val;
  what = `the validation split of ${positionals[0]}`;
}
const segmenter = segmenterFor(predictor);
const ranked: Record<Form, RankedScores[]> = { float32: [], png16: [], png8: [] };
const perImage: Record<Form, number[]> = { float32: [], png16: [], png8: [] };
for (const raw of images) {
  const { prob } = await segmenter.segment(raw);
  if (raw.label === null) throw new Error(`${raw.sourcePath}: no label`);
  for (const form of Object.keys(FORMS) as Form[]) {
    const r = rankScores(FORMS[form](prob), raw.label, raw.fov);
    ranked[form].push(r);
    perImage[form].push(aucFromRanked(r));
  }
}
predictor.dispose();

console.log(`AUC of ${images.length} images (${what}), ${predictor.backend.description}, eval tta ${spec.eval.tta}`);
console.log('map     | mean per-image AUC | pooled AUC | change of pooled');
const pooled = (form: Form) => aucFromRanked(mergeRanked(ranked[form]));
const exact = pooled('float32');
for (const form of Object.keys(FORMS) as Form[]) {
  const mean = perImage[form].reduce((s, v) => s + v, 0) / perImage[form].length;
  const p = pooled(form);
  console.log(`${form.padEnd(7)} | ${mean.toFixed(6).padStart(18)} | ${p.toFixed(6).padStart(10)} | ${(p - exact).toExponential(2)}`);
}
