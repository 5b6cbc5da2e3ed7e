// Optimisers with explicit, exportable state, so that a resumed run continues
// bit-for-bit: Adam, AdamW (decoupled weight decay, Loshchilov & Hutter) and
// SGD with (Nesterov) momentum in PyTorch's formulation, plus optional
// global-norm gradient clipping. The update rules are written out here rather
// than taken from tf.train so that every slot is visible and serialisable.
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '../../spec/config.js';

export interface OptimizerState {
  /** number of updates applied so far (Adam's bias correction depends on it) */
  readonly step: number;
  /** per variable, in order: Adam/AdamW: m then v; SGD: the momentum buffer */
  readonly slots: Float32Array[];
}

export class Optimizer {
  /** current learning rate; schedules set it before each step */
  lr: number;
  private step = 0;
  private slots: tf.Variable[][] | null = null;

  constructor(
    readonly config: OptimizerConfig,
    /** global gradient-norm limit; 0 = no clipping */
    readonly clipGrad: number,
  ) {
    this.lr = config.lr;
  }

  private slotsPerVariable(): number {
    return this.config.kind === 'sgd' ? 1 : 2;
  }

  private ensureSlots(vars: readonly tf.Variable[]): tf.Variable[][] {
    if (this.slots === null) {
      this.slots = vars.map((v) =>
        Array.from({ length: this.slotsPerVariable() }, () => tf.tidy(() => tf.variable(tf.zerosLike(v), false))),
      );
    }
    return this.slots;
  }

  /** Applies one update of `vars` with `grads` (same order); does not dispose `grads`. */
  apply(vars: readonly tf.Variable[], grads: readonly tf.Tensor[]): void {
    const slots = this.ensureSlots(vars);
    this.step += 1;
    const cfg = this.config;
    const lr = this.lr;
    const step = this.step;
    tf.tidy(() => {
      let gs: readonly tf.Tensor[] = grads;
      if (this.clipGrad > 0) {
        const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
        const scale = tf.minimum(1, tf.div(this.clipGrad, tf.add(norm, 1e-6)));
        gs = grads.map((g) => tf.mul(g, scale));
      }
      vars.forEach((v, i) => {
        const g = gs[i];
        if (cfg.kind === 'sgd') {
          const [buf] = slots[i];
          const b = tf.add(tf.mul(buf, cfg.momentum), g);
          buf.assign(b);
          const d = cfg.nesterov ? tf.add(g, tf.mul(b, cfg.momentum)) : b;
          v.assign(tf.sub(v, tf.mul(d, lr)));
          return;
        }
        const [m, s] = slots[i];
        const mNew = tf.add(tf.mul(m, cfg.beta1), tf.mul(g, 1 - cfg.beta1));
        const sNew = tf.add(tf.mul(s, cfg.beta2), tf.mul(tf.square(g), 1 - cfg.beta2));
        m.assign(mNew);
        s.assign(sNew);
        const mHat = tf.div(mNew, 1 - cfg.beta1 ** step);
        const sHat = tf.div(sNew, 1 - cfg.beta2 ** step);
        let update = tf.div(mHat, tf.add(tf.sqrt(sHat), cfg.epsilon));
        if (cfg.kind === 'adamw') update = tf.add(update, tf.mul(v, cfg.weight_decay));
        v.assign(tf.sub(v, tf.mul(update, lr)));
      });
    });
  }

  async getState(): Promise<OptimizerState> {
    const slots: Float32Array[] = [];
    for (const perVar of this.slots ?? []) for (const s of perVar) slots.push((await s.data()) as Float32Array);
    return { step: this.step, slots };
  }

  /** Restores a state exported by getState() for the same variables. */
  setState(state: OptimizerState, vars: readonly tf.Variable[]): void {
    const per = this.slotsPerVariable();
    if (state.slots.length !== 0 && state.slots.length !== vars.length * per) {
      throw new Error(`optimizer state has ${state.slots.length} slots, expected ${vars.length * per}`);
    }
    this.disposeSlots();
    this.step = state.step;
    if (state.slots.length === 0) return;
    this.slots = vars.map((v, i) =>
      Array.from({ length: per }, (_, k) => {
        const data = state.slots[i * per + k];
        if (data.length !== v.size) throw new Error(`optimizer slot ${i * per + k} has ${data.length} values, expected ${v.size}`);
        return tf.tidy(() => tf.variable(tf.tensor(data, v.shape, 'float32'), false));
      }),
    );
  }

  private disposeSlots(): void {
    for (const perVar of this.slots ?? []) for (const s of perVar) s.dispose();
    this.slots = null;
  }

  dispose(): void {
    this.disposeSlots();
  }
}
