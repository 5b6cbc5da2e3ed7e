// The exponential moving average of the weights (`train { ema d }`):
// validation, checkpoints and inference read the average; training goes on
// from the trained weights. Every weight is averaged, batch-norm statistics
// included, so the averaged model is a whole model (timm's ModelEmaV2 does the
// same).
//
// The average is corrected for its start, as Adam corrects its moments: after
// n steps it is Σₖ (1−d) dⁿ⁻ᵏ wₖ / (1 − dⁿ), so the first epochs are not
// dragged towards the random initial weights. It is kept directly as
//   Aₙ = Aₙ₋₁ + (wₙ − Aₙ₋₁) · (1 − d) / (1 − dⁿ)
// so that Aₙ (the checkpoint's model) and n are all a resume needs.
import * as tf from '@tensorflow/tfjs-core';
import { onDevice } from '../backend.js';
import type { TrainEngine } from '../engine/index.js';

/** What a checkpoint of an averaged run carries besides the average itself (its model). */
export interface AverageState {
  /** optimisation steps averaged so far */
  readonly steps: number;
  /** the trained weights, in model.weights order */
  readonly trained: Float32Array[];
}

export class WeightAverage {
  /** the average on the backend's device (a GPU's) */
  private average: tf.Variable[] | null = null;
  /** the average in host arrays, on a CPU backend: one read of each weight per step instead of three ops */
  private hostAverage: Float32Array[] | null = null;
  private readonly onHost: boolean;
  private steps = 0;
  /** the trained weights while the engine holds the average (from validation until training resumes) */
  private trained: Float32Array[] | null = null;

  constructor(
    readonly decay: number,
    private readonly engine: TrainEngine,
  ) {
    this.onHost = !onDevice(engine.backend);
  }

  /** Folds the engine's weights after an optimisation step into the average. */
  update(): void {
    const weights = this.engine.model.weights.map((w) => w.read());
    this.steps += 1;
    // the rate is 1 at the first step: the average starts as the weights themselves
    const rate = (1 - this.decay) / (1 - this.decay ** this.steps);
    if (this.onHost) {
      const average = (this.hostAverage ??= weights.map((w) => new Float32Array(w.size)));
      weights.forEach((w, i) => foldInto(average[i], w.dataSync() as Float32Array, rate));
      return;
    }
    const average = (this.average ??= weights.map((w) => tf.tidy(() => tf.variable(tf.zerosLike(w), false))));
    tf.tidy(() => average.forEach((a, i) => a.assign(tf.add(a, tf.mul(tf.sub(weights[i], a), rate)))));
  }

  /** Puts the average in the engine, for validation and checkpoints, and keeps the trained weights aside. */
  async enter(): Promise<void> {
    if ((this.average === null && this.hostAverage === null) || this.trained !== null) return;
    // copies: an engine may hand out views of memory it frees when its weights change
    this.trained = (await this.engine.getWeights()).map((w) => w.slice());
    const average = this.hostAverage ?? (await Promise.all((this.average ?? []).map(async (a) => (await a.data()) as Float32Array)));
    await this.engine.setWeights(average);
  }

  /** Gives the engine its trained weights back, before training goes on. */
  async leave(): Promise<void> {
    if (this.trained === null) return;
    await this.engine.setWeights(this.trained);
    this.trained = null;
  }

  /** What a checkpoint saves besides the model (which holds the average); null before the first step. */
  state(): AverageState | null {
    return this.trained === null ? null : { steps: this.steps, trained: this.trained };
  }

  /**
   * Continues from a checkpoint: `average` is its model's weights, which the
   * engine already holds; the trained weights come back when training resumes.
   */
  restore(average: readonly Float32Array[], state: AverageState): void {
    const weights = this.engine.model.weights;
    if (average.length !== weights.length || state.trained.length !== weights.length) {
      throw new Error(`weight average: expected ${weights.length} weight arrays, got ${average.length} averaged and ${state.trained.length} trained`);
    }
    this.dispose();
    if (this.onHost) this.hostAverage = average.map((a) => a.slice());
    else this.average = weights.map((w, i) => tf.tidy(() => tf.variable(tf.tensor(average[i], w.read().shape, 'float32'), false)));
    this.steps = state.steps;
    this.trained = state.trained;
  }

  dispose(): void {
    for (const a of this.average ?? []) a.dispose();
    this.average = null;
    this.hostAverage = null;
  }
}

/** a ← a + (w − a) · rate, in place */
function foldInto(a: Float32Array, w: Float32Array, rate: number): void {
  for (let j = 0; j < a.length; j++) a[j] += (w[j] - a[j]) * rate;
}
