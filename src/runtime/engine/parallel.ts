// Data-parallel training over worker threads. Each worker holds a replica of
// the model on its own wasm instance (wasm is single-threaded in Node, so
// threads are how a step uses several cores). Per step the batch is split
// into near-equal parts, each worker returns its part's gradient, and this
// thread averages them weighted by part size, applies the optimizer to its
// own model (the authoritative weights) and sends the new weights with the
// next request. For losses that are a mean over pixels the weighted average
// equals the whole-batch gradient, so the result matches one worker up to
// floating-point summation order. Batch-norm moving statistics, updated
// independently by each worker, are averaged the same way. Inference on
// several images is spread over the workers too.
import * as tf from '@tensorflow/tfjs-core';
import { Worker } from 'node:worker_threads';
import type { BackendInfo } from '../backend.js';
import type { ExperimentConfig, BackendName } from '../../spec/config.js';
import { ReplicaEngine } from './replica-engine.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';
import type { TrainEngine } from './types.js';
import { workerEntry, type WorkerEntry } from './worker-entry.js';

type GradientReply = Extract<FromWorker, { type: 'gradients' }>;
type PredictReply = Extract<FromWorker, { type: 'predict' }>;
type Reply = GradientReply | PredictReply;
type Request = Extract<ToWorker, { type: 'gradients' | 'predict' }>;
/** a request as the engine writes it; the worker wrapper adds the id */
type Unnumbered<R> = R extends unknown ? Omit<R, 'id'> : never;

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
}

/** one worker thread and its outstanding requests */
class EngineWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;
  readonly ready: Promise<string>;

  constructor(init: WorkerInit, entry: WorkerEntry) {
    this.worker = new Worker(entry.script, { eval: entry.eval, workerData: init });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (msg: FromWorker) => {
        if (msg.type === 'ready') resolve(msg.backend);
        else if (msg.type === 'error' && msg.id === null) reject(new Error(`engine worker failed to start: ${msg.message}`));
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
    });
    this.worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'ready' || msg.id === null) return;
      const p = this.pending.get(msg.id);
      if (p === undefined) return;
      this.pending.delete(msg.id);
      if (msg.type === 'error') p.reject(new Error(`engine worker: ${msg.message}`));
      else p.resolve(msg);
    });
    const fail = (err: Error) => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', (err) => fail(err));
    this.worker.on('exit', (code) => fail(new Error(`engine worker exited (code ${code})`)));
  }

  request(req: Unnumbered<Request> & { type: 'gradients' }): Promise<GradientReply>;
  request(req: Unnumbered<Request> & { type: 'predict' }): Promise<PredictReply>;
  request(req: Unnumbered<Request>): Promise<Reply>;
  request(req: Unnumbered<Request>): Promise<Reply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id } as Request);
    });
  }

  async close(): Promise<void> {
    if (this.failure !== null) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'close' } satisfies ToWorker);
    const timeout = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timeout);
  }
}

/** sizes of `parts` near-equal slices of `n` items, empty slices dropped */
export function splitBatch(n: number, parts: number): number[] {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0)).filter((s) => s > 0);
}

export class ParallelEngine extends ReplicaEngine implements TrainEngine {
  /** whether each worker's weights are stale */
  private readonly stale: boolean[];
  readonly layout: string;

  private constructor(
    config: ExperimentConfig,
    inputChannels: number,
    backend: BackendInfo,
    private readonly pool: EngineWorker[],
    /** the backend description the workers reported */
    workerBackend: string,
  ) {
    super(config, inputChannels, backend);
    this.layout = pool.length === 1 ? `a worker thread, ${workerBackend}` : `${pool.length} data-parallel workers, each ${workerBackend}`;
    this.stale = pool.map(() => true);
  }

  static async create(
    config: ExperimentConfig,
    inputChannels: number,
    workers: number,
    backendName: BackendName,
    backend: BackendInfo,
  ): Promise<ParallelEngine> {
    // workers take the backend this thread resolved, so `auto` cannot differ between them
    const init: WorkerInit = { config, inputChannels, backend: backendName === 'auto' ? backend.name : backendName };
    // one freshness check of the worker bundle for the whole pool
    const entry = workerEntry();
    const pool = Array.from({ length: workers }, () => new EngineWorker(init, entry));
    let described: string[];
    try {
      described = await Promise.all(pool.map((w) => w.ready));
    } catch (err) {
      await Promise.allSettled(pool.map((w) => w.close()));
      throw err;
    }
    return new ParallelEngine(config, inputChannels, backend, pool, described[0]);
  }

  get workers(): number {
    return this.pool.length;
  }

  async step(x: Float32Array, y: Float32Array, n: number, h: number, w: number): Promise<number> {
    const pixels = h * w;
    const c = this.inputChannels;
    if (x.length !== n * pixels * c || y.length !== n * pixels) throw new Error(`batch arrays do not match ${n}x${h}x${w}x${c}`);
    const { sizes, replies } = await this.scatter(n, (start, size, weights) => ({
      type: 'gradients' as const,
      weights,
      x: x.subarray(start * pixels * c, (start + size) * pixels * c),
      y: y.subarray(start * pixels, (start + size) * pixels),
      n: size,
      h,
      w,
    }));
    const share = sizes.map((s) => s / n);
    const average = (pick: (r: GradientReply) => Float32Array[], k: number): Float32Array => {
      const out = new Float32Array(pick(replies[0])[k].length);
      replies.forEach((r, i) => {
        const src = pick(r)[k];
        for (let j = 0; j < out.length; j++) out[j] += share[i] * src[j];
      });
      return out;
    };
    const vars = this.replica.trainable;
    this.optimizer.applyHost(
      vars,
      vars.map((_, k) => average((r) => r.grads, k)),
    );
    const frozen = this.replica.model.nonTrainableWeights;
    if (frozen.length > 0) {
      tf.tidy(() => frozen.forEach((wt, k) => wt.write(tf.tensor(average((r) => r.state, k), wt.read().shape, 'float32'))));
    }
    this.stale.fill(true);
    return replies.reduce((sum, r, i) => sum + share[i] * r.loss, 0);
  }

  /**
   * Splits n items over the workers and sends each its request, with the
   * current weights to the workers whose copy is stale.
   */
  private async scatter<R extends Unnumbered<Request>>(
    n: number,
    request: (start: number, size: number, weights: Float32Array[] | null) => R,
  ): Promise<{ sizes: number[]; replies: Array<R extends { type: 'gradients' } ? GradientReply : PredictReply> }> {
    const sizes = splitBatch(n, this.pool.length);
    const weights = this.stale.some((s) => s) ? await this.replica.getWeights() : null;
    let offset = 0;
    const replies = await Promise.all(
      sizes.map((size, i) => {
        const start = offset;
        offset += size;
        const send = this.stale[i] ? weights : null;
        this.stale[i] = false;
        return this.pool[i].request(request(start, size, send) as Unnumbered<Request>);
      }),
    );
    return { sizes, replies: replies as Array<R extends { type: 'gradients' } ? GradientReply : PredictReply> };
  }

  override async setWeights(weights: readonly Float32Array[]): Promise<void> {
    await super.setWeights(weights);
    this.stale.fill(true);
  }

  /** Several images are spread over the workers; a single image runs in this thread. */
  override async predict(x: Float32Array, n: number, h: number, w: number): Promise<Float32Array> {
    if (n < 2) return super.predict(x, n, h, w);
    const per = h * w * this.inputChannels;
    const { replies } = await this.scatter(n, (start, size, weights) => ({ type: 'predict' as const, weights, x: x.subarray(start * per, (start + size) * per), n: size, h, w }));
    const out = new Float32Array(n * h * w);
    let at = 0;
    for (const r of replies) {
      out.set(r.probs, at);
      at += r.probs.length;
    }
    return out;
  }

  override async dispose(): Promise<void> {
    await Promise.all(this.pool.map((w) => w.close()));
    await super.dispose();
  }
}
