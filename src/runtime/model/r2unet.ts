// The recurrent residual convolutional block of R2U-Net (Alom et al., 2018,
// "Recurrent Residual Convolutional Neural Network based on U-Net (R2U-Net)
// for Medical Image Segmentation").
//
// A recurrent convolutional layer (RCL) unrolls t recurrent steps over the
// same input x. Two formulations are in use and `recurrence` picks one:
//
// - `paper` (the paper's equations, after Liang & Hu's RCL):
//     h(0) = ReLU(w_f * x + b)
//     h(k) = ReLU(w_f * x + w_r * h(k-1) + b),  k = 1..t
//   w_f (feed-forward) and w_r (recurrent) are separate 3x3 kernels, each
//   shared by all steps; w_f * x is computed once. This is the model the
//   paper's equations describe, at twice the RCL parameters of `shared`.
// - `shared` (the widely copied PyTorch implementation):
//     h(0) = ReLU(w * x + b),  h(k) = ReLU(w * (x + h(k-1)) + b)
//   one 3x3 kernel applied t + 1 times.
//
// With normalisation, each step gets its own norm layer (batch statistics of
// h(0) and h(k) differ) placed before the ReLU. Weight sharing is expressed by
// calling one Conv2D layer object several times, so the saved model is a
// plain tfjs-layers graph that `tf.loadLayersModel` reads without custom code.
//
// A recurrent residual block is: 1x1 projection to the block's width, two
// RCLs in sequence, and a residual addition of the projection.
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelConfig } from '../../spec/config.js';
import { conv, normRelu, type Sym } from './blocks.js';

function rcl(cfg: ModelConfig, name: string, x: Sym, filters: number): Sym {
  const bias = cfg.norm === 'none';
  if (cfg.recurrence === 'paper') {
    const feedForward = conv(cfg.init, `${name}_wf`, filters, 3, bias).apply(x) as Sym;
    const recurrent = conv(cfg.init, `${name}_wr`, filters, 3, false);
    let h = normRelu(cfg.norm, `${name}_step0`, feedForward, filters);
    for (let k = 1; k <= cfg.t; k++) {
      const sum = tfl.layers.add({ name: `${name}_sum${k}` }).apply([feedForward, recurrent.apply(h) as Sym]) as Sym;
      h = normRelu(cfg.norm, `${name}_step${k}`, sum, filters);
    }
    return h;
  }
  const shared = conv(cfg.init, `${name}_w`, filters, 3, bias);
  let h = normRelu(cfg.norm, `${name}_step0`, shared.apply(x) as Sym, filters);
  for (let k = 1; k <= cfg.t; k++) {
    const sum = tfl.layers.add({ name: `${name}_sum${k}` }).apply([x, h]) as Sym;
    h = normRelu(cfg.norm, `${name}_step${k}`, shared.apply(sum) as Sym, filters);
  }
  return h;
}

/** 1x1 projection, two RCLs, residual add */
export function recurrentResidualBlock(cfg: ModelConfig, name: string, x: Sym, filters: number): Sym {
  const projected = conv(cfg.init, `${name}_proj`, filters, 1).apply(x) as Sym;
  const h = rcl(cfg, `${name}_rcl2`, rcl(cfg, `${name}_rcl1`, projected, filters), filters);
  return tfl.layers.add({ name: `${name}_residual` }).apply([projected, h]) as Sym;
}
