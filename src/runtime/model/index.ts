// Model construction from a ModelConfig.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelConfig } from '../../spec/config.js';
import { attentionGate } from './attention.js';
import { recurrentResidualBlock } from './r2unet.js';
import { buildEncoderDecoder, doubleConvBlock } from './unet.js';

export { GroupNormalization } from './group-norm.js';
export { formatSummary, summarizeModel, type LayerSummary, type ModelSummary } from './summary.js';

/**
 * Builds the (untrained) network. Input [batch, height, width, inputChannels]
 * with height and width free: any multiple of 2^depth works.
 */
export function buildModel(model: ModelConfig, inputChannels: number): tfl.LayersModel {
  if (model.depth < 1) throw new Error(`model depth must be at least 1, got ${model.depth}`);
  switch (model.arch) {
    case 'unet':
      return buildEncoderDecoder(model, inputChannels, doubleConvBlock, null);
    case 'r2unet':
      return buildEncoderDecoder(model, inputChannels, recurrentResidualBlock, null);
    case 'attention_r2unet':
      return buildEncoderDecoder(model, inputChannels, recurrentResidualBlock, attentionGate);
  }
}
