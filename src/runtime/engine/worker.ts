// Entry point of a data-parallel gradient worker thread: a model replica on
// its own wasm instance that turns batch slices into gradients (and, for
// batched inference, images into probabilities).
import * as tf from '@tensorflow/tfjs-core';
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../backend.js';
import { Replica } from './replica.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';

if (parentPort === null) throw new Error('engine/worker.ts must run in a worker thread');
const port = parentPort;
// messages are copied, not transferred: on the cpu backend data() returns the tensor's own storage
const send = (msg: FromWorker) => port.postMessage(msg);

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const info = await initBackend(init.backend);
  const replica = new Replica(init.config, init.inputChannels);
  const frozen = replica.model.nonTrainableWeights;
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'close') {
      replica.dispose();
      port.close();
      return;
    }
    void (async () => {
      try {
        if (msg.weights !== null) replica.setWeights(msg.weights);
        if (msg.type === 'predict') {
          send({ type: 'predict', id: msg.id, probs: await replica.predict(msg.x, msg.n, msg.h, msg.w) });
          return;
        }
        const { loss, grads } = replica.gradients(msg);
        try {
          const gradData = await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array));
          const state = await Promise.all(frozen.map(async (w) => (await w.read().data()) as Float32Array));
          const lossValue = (await loss.data())[0];
          send({ type: 'gradients', id: msg.id, loss: lossValue, grads: gradData, state });
        } finally {
          tf.dispose([loss, ...grads]);
        }
      } catch (err) {
        send({ type: 'error', id: msg.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    })();
  });
  send({ type: 'ready', backend: info.description });
}

main().catch((err: unknown) => {
  send({ type: 'error', id: null, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
});
