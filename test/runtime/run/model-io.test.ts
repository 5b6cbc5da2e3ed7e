import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layersModelDir, readLayersWeights } from '../../../src/runtime/run/model-io.js';

function tinyModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [null, null, 2] });
  const h = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  const out = tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

describe('layers-format checkpoint IO', () => {
  it('writes model.json + weights.bin that tf.loadLayersModel reads back', async () => {
    await tf.setBackend('cpu');
    const dir = await mkdtemp(join(tmpdir(), 'r2u-model-'));
    const model = tinyModel();
    await model.save(layersModelDir(dir));
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Model');
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);

    const loaded = await tfl.loadLayersModel(layersModelDir(dir));
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 3);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));

    const weights = await readLayersWeights(dir);
    const expected = model.getWeights();
    expect(weights.map((w) => w.shape)).toEqual(expected.map((t) => t.shape));
    weights.forEach((w, i) => expect(Array.from(w.values)).toEqual(Array.from(expected[i].dataSync())));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });
});
