// A sweep small enough to train in tests: tiny synthetic images, one epoch,
// one worker thread. One trial of each seed cannot find its data (a run
// failure, exit 3), so failures, retries and summaries can be seen too.
export { BIN, r2u } from './run-r2u.js';

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
