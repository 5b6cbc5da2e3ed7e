// Additive attention gate on a U-Net skip connection (Oktay et al., 2018,
// "Attention U-Net"): the decoder's upsampled features g decide, per pixel,
// how much of the encoder's skip features x pass into the concatenation.
//   alpha = sigmoid(psi(ReLU(W_g g + W_x x))),  output = x * alpha
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelConfig } from '../../spec/config.js';
import { conv, norm, type Sym } from './blocks.js';

function projectNorm(cfg: ModelConfig, name: string, x: Sym, filters: number): Sym {
  const y = conv(cfg.init, `${name}_conv`, filters, 1, cfg.norm === 'none').apply(x) as Sym;
  const n = norm(cfg.norm, `${name}_norm`, filters);
  return n === null ? y : (n.apply(y) as Sym);
}

export function attentionGate(cfg: ModelConfig, name: string, g: Sym, x: Sym, filters: number): Sym {
  const inner = Math.max(1, Math.floor(filters / 2));
  const sum = tfl.layers.add({ name: `${name}_sum` }).apply([
    projectNorm(cfg, `${name}_wg`, g, inner),
    projectNorm(cfg, `${name}_wx`, x, inner),
  ]) as Sym;
  const act = tfl.layers.reLU({ name: `${name}_relu` }).apply(sum) as Sym;
  const psi = projectNorm(cfg, `${name}_psi`, act, 1);
  const alpha = tfl.layers.activation({ name: `${name}_alpha`, activation: 'sigmoid' }).apply(psi) as Sym;
  // alpha has one channel; Multiply broadcasts it over x's channels
  return tfl.layers.multiply({ name: `${name}_gate` }).apply([x, alpha]) as Sym;
}
