// Random training patches. Patch k of epoch e is a pure function of
// (seed, e, k): its image, centre and augmentation come from its own PRNG, so
// epochs differ, runs repeat exactly, and the batch size does not change which
// patches are drawn. Centres are FOV pixels; a share `vessel_fraction` of them
// are vessel pixels. Batches are produced ahead of the consumer through a
// small queue; `waitMs` counts the time the consumer spent blocked on it.
import { EXTRA_PATCH_FIELDS, type AugmentConfig, type PatchConfig } from '../../spec/config.js';
import { samplePatch } from './augment/patch.js';
import { DataError } from './errors.js';
import { markVesselEdge } from './label-edge.js';
import { hashSeed, mulberry32 } from './rng.js';
import type { Batch, FundusImage } from './types.js';

export interface SamplerOptions {
  /** batches produced ahead of the consumer (default 2) */
  readonly prefetch?: number;
  /** how many of the images, at the end of the list, are `extra_training`'s (`patches.extra_share` draws from them) */
  readonly extra?: number;
}

export interface PatchPlacement {
  /** index into the sampler's images */
  readonly image: number;
  /** centre pixel */
  readonly cx: number;
  readonly cy: number;
  /** whether the centre was drawn among vessel pixels */
  readonly vessel: boolean;
}

export class PatchSampler {
  /** milliseconds the consumer spent waiting for batches, over the sampler's life */
  waitMs = 0;
  /** patches produced, over the sampler's life */
  produced = 0;
  readonly channels: number;
  /** the training images; with extra_ignore_edge, the extra ones' labels carry their UNSCORED edge */
  readonly images: readonly FundusImage[];
  private readonly fovIdx: Int32Array[];
  private readonly vesselIdx: Int32Array[];
  private readonly prefetch: number;
  /** index of the first extra_training image (= images.length when there are none) */
  private readonly extraFrom: number;

  constructor(
    images: readonly FundusImage[],
    readonly patches: PatchConfig,
    readonly augment: AugmentConfig,
    readonly seed: number,
    opts: SamplerOptions = {},
  ) {
    if (images.length === 0) throw new DataError('patch sampler: no training images');
    this.channels = images[0].channels;
    this.prefetch = Math.max(2, opts.prefetch ?? 2);
    this.extraFrom = images.length - (opts.extra ?? 0);
    const knob = EXTRA_PATCH_FIELDS.find((k) => patches[k] !== undefined);
    if (knob !== undefined && (this.extraFrom === 0 || this.extraFrom === images.length)) {
      throw new DataError(`patch sampler: ${knob} ${patches[knob]} needs both main and extra_training images (${this.extraFrom} main, ${images.length - this.extraFrom} extra)`);
    }
    this.fovIdx = [];
    this.vesselIdx = [];
    for (const img of images) {
      if (img.label === null) throw new DataError('patch sampler: training image has no label', img.sourcePath);
      if (img.channels !== this.channels) throw new DataError(`patch sampler: image has ${img.channels} channels, others ${this.channels}`, img.sourcePath);
      const fov: number[] = [];
      const vessel: number[] = [];
      for (let i = 0; i < img.fov.length; i++) {
        if (img.fov[i] === 0) continue;
        fov.push(i);
        if (img.label[i] === 1) vessel.push(i);
      }
      if (fov.length === 0) throw new DataError('patch sampler: empty field of view', img.sourcePath);
      this.fovIdx.push(Int32Array.from(fov));
      this.vesselIdx.push(Int32Array.from(vessel));
    }
    // centres are drawn from the labels as annotated (the same draws as without the edge); the loss skips the edge
    const depth = patches.extra_ignore_edge;
    this.images =
      depth === undefined ? images : images.map((img, i) => (i < this.extraFrom ? img : { ...img, label: markVesselEdge(img.label!, img.width, img.height, depth) }));
  }

  /** where patch k of an epoch is taken from (image, centre) */
  placement(epoch: number, k: number): PatchPlacement {
    return this.place(mulberry32(hashSeed(this.seed, epoch, k)), epoch);
  }

  /** all patches of an epoch, in batches of `batchSize` (the last one may be smaller) */
  async *batches(epoch: number, batchSize: number): AsyncIterableIterator<Batch> {
    if (!(batchSize >= 1)) throw new Error(`batch size must be >= 1, got ${batchSize}`);
    const total = this.patches.per_epoch;
    const count = Math.ceil(total / batchSize);
    const queue: Promise<Batch>[] = [];
    let next = 0;
    const fill = (): void => {
      while (queue.length < this.prefetch && next < count) {
        const b = next++;
        const start = b * batchSize;
        const p = new Promise<Batch>((resolve, reject) => {
          // produce on a later turn of the event loop, while the consumer works
          setImmediate(() => {
            try {
              resolve(this.batch(epoch, start, Math.min(batchSize, total - start)));
            } catch (err) {
              reject(err);
            }
          });
        });
        p.catch(() => {}); // rejection is handled when the consumer awaits it
        queue.push(p);
      }
    };
    fill();
    while (queue.length > 0) {
      const t = performance.now();
      const batch = await queue.shift()!;
      this.waitMs += performance.now() - t;
      fill();
      yield batch;
    }
  }

  /** patches [start, start + n) of an epoch, synchronously */
  batch(epoch: number, start: number, n: number): Batch {
    const [h, w] = this.patches.size;
    const c = this.channels;
    const x = new Float32Array(n * h * w * c);
    const y = new Float32Array(n * h * w);
    for (let i = 0; i < n; i++) {
      const rng = mulberry32(hashSeed(this.seed, epoch, start + i));
      const p = this.place(rng, epoch);
      samplePatch(this.images[p.image], p.cx, p.cy, h, w, this.augment, rng, x, i * h * w * c, y, i * h * w);
    }
    this.produced += n;
    return { x, y, n, h, w, c };
  }

  /**
   * Uniform over the images; with extra_share, first which side, then uniform within it (an extra
   * draw, so runs without it repeat as before); after extra_epochs, uniform over the main images.
   */
  private pickImage(rng: ReturnType<typeof mulberry32>, epoch: number): number {
    const { extra_share: share, extra_epochs: lastExtraEpoch } = this.patches;
    if (lastExtraEpoch !== undefined && epoch > lastExtraEpoch) return rng.int(this.extraFrom);
    if (share === undefined) return rng.int(this.images.length);
    return rng.next() < share ? this.extraFrom + rng.int(this.images.length - this.extraFrom) : rng.int(this.extraFrom);
  }

  private place(rng: ReturnType<typeof mulberry32>, epoch: number): PatchPlacement {
    const image = this.pickImage(rng, epoch);
    const wantVessel = rng.next() < this.patches.vessel_fraction;
    const vessels = this.vesselIdx[image];
    // an image without vessels falls back to a uniform FOV centre
    const vessel = wantVessel && vessels.length > 0;
    const pool = vessel ? vessels : this.fovIdx[image];
    const idx = pool[rng.int(pool.length)];
    const width = this.images[image].width;
    return { image, cx: idx % width, cy: Math.floor(idx / width), vessel };
  }
}
