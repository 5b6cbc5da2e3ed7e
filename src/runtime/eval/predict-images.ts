// `r2u predict`: vessel maps for arbitrary fundus photographs, through the
// run's own preprocessing (same code path and fitted statistics as training),
// the configured inference mode, then back to the original geometry.
//
//   <stem>.png          probability, 8-bit gray (p * 255), original size
//   <stem>_mask.png     binary mask at eval.threshold after post-processing
//   <stem>_overlay.png  (--overlay) the photograph with the mask in green
// Pixels outside the field of view are 0 in all maps.
import { join } from 'node:path';
import type { BackendName } from '../../spec/config.js';
import { createPreprocessor, DataError, loadFundusImage, toOriginalGeometry, type RawImage } from '../data/index.js';
import { probabilityToGray, rawToPng } from '../report/png.js';
import { writeFileAtomic } from '../run/atomic.js';
import { resolveCheckpointDir } from '../run/checkpoint.js';
import { RunError } from '../run/errors.js';
import { infer, inferenceSettings, maxTensorBytes } from './infer.js';
import { binarize } from './postprocess.js';
import { loadPredictor } from './predictor.js';

export interface PredictOptions {
  out: string;
  overlay?: boolean;
  fov?: string;
  backend?: BackendName;
  log?: (line: string) => void;
}

export interface PredictedImage {
  source: string;
  files: string[];
  /** share of FOV pixels predicted as vessel */
  vesselFraction: number;
}

const OVERLAY_RGB = [0, 255, 0] as const;
const OVERLAY_ALPHA = 0.6;

export async function predictImages(target: string, paths: readonly string[], opts: PredictOptions): Promise<PredictedImage[]> {
  const log = opts.log ?? (() => {});
  const stems = paths.map((p) => p.replace(/^.*[\\/]/, '').replace(/(\.[a-z0-9]+)+$/i, ''));
  const dup = stems.find((s, i) => stems.indexOf(s) !== i);
  if (dup !== undefined) throw new RunError(`two input images have the same name "${dup}"; their outputs would collide in ${opts.out}`);

  const checkpoint = await resolveCheckpointDir(target);
  const predictor = await loadPredictor(checkpoint, opts.backend);
  try {
    const { spec } = predictor;
    log(`backend: ${predictor.backend.description}`);
    log(`checkpoint: ${checkpoint}`);
    const preprocessor = createPreprocessor(spec.data.preprocess, predictor.preprocess);
    const settings = inferenceSettings(spec, maxTensorBytes(predictor.backend));
    const out: PredictedImage[] = [];
    for (const [k, path] of paths.entries()) {
      const raw = await loadFundusImage(path, opts.fov === undefined ? {} : { fovPath: opts.fov });
      const img = preprocessor.apply(raw);
      if (img.channels !== predictor.channels) {
        throw new DataError(`the image has ${img.channels} channels after preprocessing, the model expects ${predictor.channels}`, path);
      }
      const prob = await infer(img, predictor.predict, settings);
      const mask = binarize(prob, img.width, img.height, spec.eval, spec.eval.threshold);
      const probOrig = toOriginalGeometry(prob, img);
      const maskOrig = toOriginalGeometry(Float32Array.from(mask), img);
      const { width, height } = raw;
      const maskBytes = new Uint8Array(width * height);
      let vessels = 0;
      let inside = 0;
      for (let i = 0; i < maskBytes.length; i++) {
        if (raw.fov[i] === 0) {
          probOrig[i] = 0;
          continue;
        }
        inside++;
        if (maskOrig[i] >= 0.5) {
          maskBytes[i] = 255;
          vessels++;
        }
      }
      const files = [join(opts.out, `${stems[k]}.png`), join(opts.out, `${stems[k]}_mask.png`)];
      await writeFileAtomic(files[0], await rawToPng(probabilityToGray(probOrig), width, height, 1));
      await writeFileAtomic(files[1], await rawToPng(maskBytes, width, height, 1));
      if (opts.overlay) {
        files.push(join(opts.out, `${stems[k]}_overlay.png`));
        await writeFileAtomic(files[2], await rawToPng(overlay(raw, maskBytes), width, height, 3));
      }
      const fraction = inside === 0 ? 0 : vessels / inside;
      log(`${path}: ${files.join(', ')} (${(fraction * 100).toFixed(1)}% of the FOV is vessel)`);
      out.push({ source: path, files, vesselFraction: fraction });
    }
    return out;
  } finally {
    predictor.dispose();
  }
}

/** The photograph as 8-bit RGB with vessel pixels blended towards green. */
function overlay(raw: RawImage, mask: Uint8Array): Uint8Array {
  const rgb = new Uint8Array(raw.width * raw.height * 3);
  for (let i = 0; i < raw.width * raw.height; i++) {
    for (let ch = 0; ch < 3; ch++) {
      const v = raw.pixels[i * raw.channels + Math.min(ch, raw.channels - 1)] * 255;
      rgb[i * 3 + ch] = Math.round(mask[i] ? (1 - OVERLAY_ALPHA) * v + OVERLAY_ALPHA * OVERLAY_RGB[ch] : v);
    }
  }
  return rgb;
}
