// A `tf.io.IOHandler` for a directory in the standard TF.js layers format
// (`model.json` with `modelTopology` + `weightsManifest`, and `weights.bin`).
// tfjs-node's `file://` handler is not available here, so this is our own;
// the files it writes load with `tf.loadLayersModel` anywhere.
import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENSEMBLE_FILES } from '../../spec/run-files.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
/** an ensemble's model folder holds this instead of a model (run/ensemble.ts) */
export const ENSEMBLE_JSON = ENSEMBLE_FILES.manifest;

function joinWeights(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data);
}

async function loadArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
  const buffers = await Promise.all(
    json.weightsManifest.flatMap((group) => group.paths).map(async (p) => {
      const bytes = await readFile(join(dir, p));
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    }),
  );
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
    weightData: tf.io.CompositeArrayBuffer.join(buffers),
  };
}

export function layersModelDir(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weightData = joinWeights(artifacts.weightData);
      // weights first: a model.json never points at a weights.bin not yet written
      await writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      await writeJsonAtomic(join(dir, MODEL_JSON), {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      });
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData }) };
    },
    load: () => loadArtifacts(dir),
  };
}

/**
 * The weight values of a saved model, in manifest order (which is the order of
 * `model.weights`), without building the model: lets a checkpoint be loaded
 * into a freshly built model or a training engine whatever its layer names.
 */
export async function readLayersWeights(dir: string): Promise<Array<{ name: string; shape: number[]; values: Float32Array }>> {
  const artifacts = await loadArtifacts(dir);
  const data = joinWeights(artifacts.weightData);
  let offset = 0;
  // decoded by position rather than through tf.io.decodeWeights' name map, which would merge duplicate names
  return (artifacts.weightSpecs ?? []).map((spec) => {
    if (spec.dtype !== 'float32' || spec.quantization !== undefined) throw new Error(`unsupported weight encoding for ${spec.name}: ${spec.dtype}`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(data.slice(offset, offset + size * 4));
    offset += size * 4;
    return { name: spec.name, shape: spec.shape.slice(), values };
  });
}
