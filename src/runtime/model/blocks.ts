// Building blocks shared by every architecture: convolutions with r2u's
// initialisation, and the normalisation layer a ModelConfig asks for.
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelConfig } from '../../spec/config.js';
import type { Init } from '../../spec/vocabulary.js';
import { BatchNormalization, FollowingReLU } from './batch-norm.js';
import { GroupNormalization } from './group-norm.js';

export type Sym = tfl.SymbolicTensor;

/**
 * `model.init`'s kernel initialisers. The default is PyTorch's (uniform,
 * variance 1/(3·fan_in)) rather than He: without normalisation a recurrent
 * layer sums t+1 convolutions of its own output and each block adds a
 * residual, so He's gain of 2 per convolution compounds through depth 3 and
 * t = 2 into saturated outputs at the first step (measured on an earlier
 * runtime: the reference model predicted all background, AUC 0.5, and never
 * recovered; the seed replica of today trains with either, see the README).
 */
const INITIALISERS: { [K in Init]: () => ReturnType<typeof tfl.initializers.heNormal> } = {
  pytorch: () => tfl.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform' }),
  he: () => tfl.initializers.heNormal({}),
  glorot: () => tfl.initializers.glorotUniform({}),
};

/** A linear 'same'-padded convolution. */
export function conv(init: Init, name: string, filters: number, kernel: number, useBias = true): tfl.layers.Layer {
  return tfl.layers.conv2d({ name, filters, kernelSize: kernel, padding: 'same', useBias, kernelInitializer: INITIALISERS[init]() });
}

/** largest divisor of `channels` that is at most 8: group norm over 16..256-channel maps */
function groupCount(channels: number): number {
  for (let g = Math.min(8, channels); g > 1; g--) if (channels % g === 0) return g;
  return 1;
}

/** the normalisation layer for `norm`, or null for `none`; fuseRelu: its only consumer is a FollowingReLU */
export function norm(kind: ModelConfig['norm'], name: string, channels: number, fuseRelu = false): tfl.layers.Layer | null {
  switch (kind) {
    case 'none':
      return null;
    case 'batch':
      return new BatchNormalization({ name, axis: -1, momentum: 0.99, epsilon: 1e-3, fuseRelu });
    case 'instance':
      return new GroupNormalization({ name, groups: -1 });
    case 'group':
      return new GroupNormalization({ name, groups: groupCount(channels) });
  }
}

/** x -> norm(x) -> ReLU */
export function normRelu(kind: ModelConfig['norm'], name: string, x: Sym, channels: number): Sym {
  // batch norm in training takes the ReLU into its fused kernel where the backend has one
  const n = norm(kind, `${name}_norm`, channels, true);
  const y = n === null ? x : (n.apply(x) as Sym);
  return (kind === 'batch' ? new FollowingReLU({ name: `${name}_relu` }) : tfl.layers.reLU({ name: `${name}_relu` })).apply(y) as Sym;
}

/** conv -> norm -> ReLU */
export function convNormRelu(cfg: ModelConfig, name: string, x: Sym, filters: number, kernel = 3): Sym {
  // the bias is redundant before a normalisation that re-centres
  const y = conv(cfg.init, `${name}_conv`, filters, kernel, cfg.norm === 'none').apply(x) as Sym;
  return normRelu(cfg.norm, name, y, filters);
}
