// A sweep small enough to train in tests: tiny synthetic images, one epoch,
// one worker thread. One trial of each seed cannot find its data (a run
// failure, exit 3), so failures, retries and summaries can be seen too.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(process.cwd(), 'bin', 'r2u.mjs');

/** Runs `r2u ARGS` without blocking the test worker (trials take a while). */
export const r2u = (...args: string[]): Promise<{ code: number; out: string; err: string }> =>
  new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }, (error, out, err) => {
      done({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, out, err });
    });
  });

export const TINY_SWEEP = `experiment tiny {
  seed 3
  data {
    dataset synthetic(count: 4, size: 32 x 32, seed: 5)
    preprocess {
      grayscale green
      normalize per_image
    }
    patches 16 x 16, random 16 per epoch, vessel_fraction 0.5
    split train 0.5, val 0.5
  }
  model r2unet {
    depth 2
    filters 2
    t 1
  }
  train {
    batch 8
    epochs 1
    early_stop val_dice patience 1
  }
  runtime { backend wasm; workers 1 }
  sweep {
    vary "data.dataset" synthetic(count: 4, size: 32 x 32, seed: 5), drive("no-such-folder")
    seeds 1, 2
  }
}
`;
