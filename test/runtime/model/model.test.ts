import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import { initBackend } from '../../../src/runtime/backend.js';
import type { ModelConfig } from '../../../src/spec/config.js';
import { buildModel, formatSummary, GroupNormalization, summarizeModel } from '../../../src/runtime/model/index.js';

const small: ModelConfig = { ...DEFAULT_EXPERIMENT.model, depth: 2, filters: 4, t: 2 };

async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
}

describe('models', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('reference R2U-Net: parameters and FLOPs of both recurrence formulations', () => {
    const paper = summarizeModel(buildModel(DEFAULT_EXPERIMENT.model, 1), [48, 48], 1);
    const shared = summarizeModel(buildModel({ ...DEFAULT_EXPERIMENT.model, recurrence: 'shared' }, 1), [48, 48], 1);
    // paper: separate w_f and w_r per RCL (the published R2U-Net reports 1.037 M)
    expect(paper.params).toBe(1_042_609);
    // shared: one kernel per RCL, the common PyTorch code
    expect(shared.params).toBe(554_161);
    // both apply t + 1 3x3 convolutions per RCL, so the FLOPs are equal
    expect(paper.flopsPerPatch / 1e9).toBeCloseTo(0.462, 3);
    expect(shared.flopsPerPatch).toBe(paper.flopsPerPatch);
    const text = formatSummary(paper);
    expect(text).toContain('parameters: 1,042,609');
    expect(text).toMatch(/enc1_rcl1_wr\s+Conv2D\s+\[48x48x16\]\s+2,304\s+x2/);
  });

  it('model.init sets the variance of every block convolution', () => {
    // a 3x3 convolution from 128 to 128 channels at the bottleneck: fan_in 1152, fan_out 1152
    const variance = (init: ModelConfig['init']) => {
      const w = buildModel({ ...DEFAULT_EXPERIMENT.model, init }, 1).getLayer('bottleneck_rcl1_wr').getWeights()[0];
      const v = tf.moments(w).variance.dataSync()[0];
      return v * 1152;
    };
    expect(variance('pytorch')).toBeCloseTo(1 / 3, 1);
    // he_normal is a truncated normal: variance 2/fan_in × 0.774
    expect(variance('he')).toBeCloseTo(2 * 0.774, 1);
    expect(variance('glorot')).toBeCloseTo(1, 1);
  });

  it('recurrent steps share one convolution layer', () => {
    const model = buildModel(small, 1);
    const s = summarizeModel(model, [16, 16], 1);
    const wr = s.layers.find((l) => l.name === 'enc1_rcl1_wr')!;
    expect(wr.calls).toBe(small.t);
    expect(model.getLayer('enc1_rcl1_wr').getWeights()).toHaveLength(1);
  });

  const variants: Array<[string, Partial<ModelConfig>, number]> = [
    ['r2unet paper, transpose', {}, 1],
    ['r2unet shared, batch norm, upsample_conv', { recurrence: 'shared', norm: 'batch', upsample: 'upsample_conv' }, 3],
    ['unet, instance norm, dropout', { arch: 'unet', norm: 'instance', dropout: 0.2 }, 1],
    ['attention_r2unet, group norm', { arch: 'attention_r2unet', norm: 'group' }, 2],
  ];
  for (const [label, patch, channels] of variants) {
    it(`${label}: fully convolutional, saves and reloads with identical output`, async () => {
      const model = buildModel({ ...small, ...patch }, channels);
      const onPatch = tf.tidy(() => model.predict(tf.randomUniform([2, 16, 16, channels])) as tf.Tensor);
      expect(onPatch.shape).toEqual([2, 16, 16, 1]);
      const x = tf.randomUniform([1, 20, 28, channels]);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([1, 20, 28, 1]);
      const values = y.dataSync();
      for (const v of values) expect(v >= 0 && v <= 1).toBe(true);
      const loaded = await roundTrip(model);
      const y2 = loaded.predict(x) as tf.Tensor;
      expect(Array.from(y2.dataSync())).toEqual(Array.from(values));
      tf.dispose([onPatch, x, y, y2]);
      model.dispose();
      loaded.dispose();
    });
  }

  it('GroupNormalization normalises each group of each sample', () => {
    const layer = new GroupNormalization({ groups: 2, epsilon: 0 });
    const x = tf.tensor4d([1, 2, 10, 20, 3, 4, 30, 40], [1, 2, 1, 4]);
    const y = layer.apply(x) as tf.Tensor;
    // group 1 = channels 0,1 over both pixels: {1,2,3,4}; group 2: {10,20,30,40}
    const g1 = [1, 2, 3, 4];
    const mean = 2.5;
    const sd = Math.sqrt(g1.reduce((s, v) => s + (v - mean) ** 2, 0) / 4);
    const got = Array.from(y.dataSync());
    expect(got[0]).toBeCloseTo((1 - mean) / sd, 5);
    expect(got[2]).toBeCloseTo((10 - 25) / (10 * sd), 5);
    expect(got[7]).toBeCloseTo((40 - 25) / (10 * sd), 5);
    tf.dispose([x, y]);
  });
});
