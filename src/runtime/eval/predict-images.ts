// `r2u predict`: vessel maps for arbitrary fundus photographs, at their
// original size, through the inference geometry of segment.ts (whole image,
// scale normalised to the training FOV, the run's own intensity preprocessing).
//
//   <stem>.png          probability, 16-bit gray (p * 65535), original size
//   <stem>_mask.png     binary mask at eval.threshold after post-processing
//   <stem>_overlay.png  (--overlay) the photograph with the mask in green
// Pixels outside the field of view are 0 in all maps.
import { join } from 'node:path';
import type { BackendName } from '../../spec/config.js';
import { loadFundusImage, type RawImage } from '../data/index.js';
import { probabilityToGray16, rawToPng, rawToPng16 } from '../report/png.js';
import { writeFileAtomic } from '../run/atomic.js';
import { resolveCheckpointDir } from '../run/checkpoint.js';
import { RunError } from '../run/errors.js';
import { checkpointLine, loadPredictor, segmenterFor } from './predictor.js';

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
  /** the size the network saw */
  scaled: { width: number; height: number };
  /** milliseconds from decoded image to maps (without file I/O) */
  ms: number;
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
    log(`backend: ${predictor.backend.description}`);
    log(checkpointLine(checkpoint, predictor));
    const segmenter = segmenterFor(predictor);
    const { scale, tta } = predictor.spec.eval;
    log(`inference: whole image, scale ${scale}${segmenter.targetDiameter === null ? '' : ` (FOV diameter ${segmenter.targetDiameter} px)`}, tta ${tta}`);
    const out: PredictedImage[] = [];
    for (const [k, path] of paths.entries()) {
      const raw = await loadFundusImage(path, opts.fov === undefined ? {} : { fovPath: opts.fov });
      const t0 = performance.now();
      const { prob, mask, scaled } = await segmenter.segment(raw);
      const ms = performance.now() - t0;
      const { width, height } = raw;
      const maskBytes = new Uint8Array(width * height);
      let vessels = 0;
      let inside = 0;
      for (let i = 0; i < maskBytes.length; i++) {
        inside += raw.fov[i];
        vessels += mask[i];
        maskBytes[i] = mask[i] * 255;
      }
      const files = [join(opts.out, `${stems[k]}.png`), join(opts.out, `${stems[k]}_mask.png`)];
      await writeFileAtomic(files[0], await rawToPng16(probabilityToGray16(prob), width, height));
      await writeFileAtomic(files[1], await rawToPng(maskBytes, width, height, 1));
      if (opts.overlay) {
        files.push(join(opts.out, `${stems[k]}_overlay.png`));
        await writeFileAtomic(files[2], await rawToPng(overlay(raw, maskBytes), width, height, 3));
      }
      const fraction = inside === 0 ? 0 : vessels / inside;
      const at = scaled.width === width ? '' : `, segmented at ${scaled.width}x${scaled.height}`;
      log(`${path}: ${files.join(', ')} (${(fraction * 100).toFixed(1)}% of the FOV is vessel${at}, ${Math.round(ms)} ms)`);
      out.push({ source: path, files, vesselFraction: fraction, scaled, ms });
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
