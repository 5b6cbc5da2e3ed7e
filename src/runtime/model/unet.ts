// The U-shaped encoder-decoder every architecture shares: `depth` encoder
// blocks each followed by 2x2 max pooling, one bottleneck block, a mirrored
// decoder (upsample, concatenate the skip, block) and a 1x1 sigmoid output.
// Architectures differ only in the block and in an optional skip gate.
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelConfig } from '../../spec/config.js';
import { conv, convNormRelu, type Sym } from './blocks.js';

export type Block = (cfg: ModelConfig, name: string, x: Sym, filters: number) => Sym;
export type SkipGate = (cfg: ModelConfig, name: string, g: Sym, skip: Sym, filters: number) => Sym;

/** the plain U-Net block: two 3x3 conv-norm-ReLU */
export const doubleConvBlock: Block = (cfg, name, x, filters) =>
  convNormRelu(cfg, `${name}_b`, convNormRelu(cfg, `${name}_a`, x, filters), filters);

function dropout(cfg: ModelConfig, name: string, x: Sym): Sym {
  return cfg.dropout > 0 ? (tfl.layers.dropout({ name: `${name}_dropout`, rate: cfg.dropout }).apply(x) as Sym) : x;
}

function upsample(cfg: ModelConfig, name: string, x: Sym, filters: number): Sym {
  if (cfg.upsample === 'transpose') {
    return tfl.layers
      .conv2dTranspose({ name, filters, kernelSize: 2, strides: 2, padding: 'same', kernelInitializer: 'heNormal' })
      .apply(x) as Sym;
  }
  const up = tfl.layers.upSampling2d({ name: `${name}_nearest`, size: [2, 2], interpolation: 'nearest' }).apply(x) as Sym;
  return convNormRelu(cfg, name, up, filters);
}

export function buildEncoderDecoder(
  cfg: ModelConfig,
  inputChannels: number,
  block: Block,
  gate: SkipGate | null,
): tfl.LayersModel {
  // fully convolutional: the same weights run on patches and on whole images
  const input = tfl.input({ name: 'image', shape: [null, null, inputChannels] });
  const skips: Sym[] = [];
  let x: Sym = input;
  for (let level = 1; level <= cfg.depth; level++) {
    x = dropout(cfg, `enc${level}`, block(cfg, `enc${level}`, x, cfg.filters * 2 ** (level - 1)));
    skips.push(x);
    x = tfl.layers.maxPooling2d({ name: `pool${level}`, poolSize: 2, strides: 2 }).apply(x) as Sym;
  }
  x = dropout(cfg, 'bottleneck', block(cfg, 'bottleneck', x, cfg.filters * 2 ** cfg.depth));
  for (let level = cfg.depth; level >= 1; level--) {
    const filters = cfg.filters * 2 ** (level - 1);
    const up = upsample(cfg, `up${level}`, x, filters);
    const skip = gate === null ? skips[level - 1] : gate(cfg, `att${level}`, up, skips[level - 1], filters);
    const merged = tfl.layers.concatenate({ name: `concat${level}`, axis: -1 }).apply([skip, up]) as Sym;
    x = dropout(cfg, `dec${level}`, block(cfg, `dec${level}`, merged, filters));
  }
  const logits = conv(cfg.init, 'output_conv', 1, 1).apply(x) as Sym;
  const output = tfl.layers.activation({ name: 'output', activation: 'sigmoid' }).apply(logits) as Sym;
  return tfl.model({ name: cfg.arch, inputs: input, outputs: output });
}
