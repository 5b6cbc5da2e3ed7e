import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../../src/spec/defaults.js';
import type { AugmentConfig, PatchConfig } from '../../../src/spec/config.js';
import { UNSCORED } from '../../../src/runtime/data/types.js';
import { createPreprocessor, cropPatch, generateSynthetic, gridPatches, PatchSampler, type Batch, type FundusImage } from '../../../src/runtime/data/index.js';

const NO_AUG = DEFAULT_EXPERIMENT.data.augment;
const images: FundusImage[] = generateSynthetic(3, [64, 64], 11).map((r) => createPreprocessor([{ op: 'grayscale', mode: 'green' }]).apply(r));
const patches = (over: Partial<PatchConfig> = {}): PatchConfig => ({ size: [16, 16], per_epoch: 100, vessel_fraction: 0, ...over });

async function collect(sampler: PatchSampler, epoch: number, batchSize: number): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of sampler.batches(epoch, batchSize)) out.push(b);
  return out;
}

describe('PatchSampler', () => {
  it('extra_share: that share of the patches comes from the extra images (the last `extra`), the rest from the main ones; absent, images are drawn alike', () => {
    const four = [...images, images[0]];
    const count = (s: PatchSampler) => {
      let fromExtra = 0;
      for (let k = 0; k < 4000; k++) fromExtra += s.placement(0, k).image >= 3 ? 1 : 0;
      return fromExtra / 4000;
    };
    expect(count(new PatchSampler(four, patches({ extra_share: 0.6 }), NO_AUG, 5, { extra: 1 }))).toBeCloseTo(0.6, 1);
    expect(count(new PatchSampler(four, patches({ extra_share: 0.1 }), NO_AUG, 5, { extra: 1 }))).toBeCloseTo(0.1, 1);
    expect(count(new PatchSampler(four, patches(), NO_AUG, 5, { extra: 1 }))).toBeCloseTo(0.25, 1);
    // without extra_share the draws are those of a sampler that knows nothing of extra images
    const plain = new PatchSampler(four, patches(), NO_AUG, 5);
    const told = new PatchSampler(four, patches(), NO_AUG, 5, { extra: 1 });
    for (let k = 0; k < 50; k++) expect(told.placement(2, k)).toEqual(plain.placement(2, k));
    expect(() => new PatchSampler(images, patches({ extra_share: 0.5 }), NO_AUG, 5)).toThrow(/extra_share 0.5 needs both main and extra_training images \(3 main, 0 extra\)/);
  });

  it('extra_epochs: the extra images are drawn up to that epoch, never after', () => {
    const four = [...images, images[0]];
    const s = new PatchSampler(four, patches({ extra_share: 0.5, extra_epochs: 2 }), NO_AUG, 5, { extra: 1 });
    const fromExtra = (epoch: number) => Array.from({ length: 400 }, (_, k) => s.placement(epoch, k).image).filter((i) => i === 3).length;
    expect(fromExtra(1)).toBeGreaterThan(150);
    expect(fromExtra(2)).toBeGreaterThan(150);
    expect(fromExtra(3)).toBe(0);
    expect(fromExtra(10)).toBe(0);
    // every main image is still drawn after it
    expect(new Set(Array.from({ length: 100 }, (_, k) => s.placement(3, k).image))).toEqual(new Set([0, 1, 2]));
  });

  it('extra_ignore_edge: the extra images’ vessel edges come out UNSCORED in the patches, the main images’ labels stay 0/1, and the draws are unchanged', async () => {
    const four = [...images, images[0]];
    const plain = new PatchSampler(four, patches({ per_epoch: 400 }), NO_AUG, 5, { extra: 1 });
    const edged = new PatchSampler(four, patches({ per_epoch: 400, extra_ignore_edge: 1 }), NO_AUG, 5, { extra: 1 });
    for (let k = 0; k < 100; k++) expect(edged.placement(1, k)).toEqual(plain.placement(1, k));
    const [a, b] = [(await collect(plain, 1, 400))[0], (await collect(edged, 1, 400))[0]];
    const px = 16 * 16;
    let unscored = 0;
    for (let i = 0; i < 400; i++) {
      const fromExtra = edged.placement(1, i).image === 3;
      for (let j = i * px; j < (i + 1) * px; j++) {
        if (b.y[j] === UNSCORED) {
          unscored++;
          expect(fromExtra).toBe(true);
          expect(a.y[j]).toBe(1); // only vessel pixels become UNSCORED
        } else expect(b.y[j]).toBe(a.y[j]);
      }
    }
    expect(unscored).toBeGreaterThan(0);
    expect(() => new PatchSampler(images, patches({ extra_ignore_edge: 1 }), NO_AUG, 5)).toThrow(/extra_ignore_edge 1 needs both main and extra_training images/);
  });

  it('draws per_epoch patches in batches, the last one smaller', async () => {
    const s = new PatchSampler(images, patches(), NO_AUG, 1);
    const batches = await collect(s, 0, 32);
    expect(batches.map((b) => b.n)).toEqual([32, 32, 32, 4]);
    const b = batches[0];
    expect(b).toMatchObject({ h: 16, w: 16, c: 1 });
    expect(b.x.length).toBe(32 * 16 * 16);
    expect(b.y.length).toBe(32 * 16 * 16);
    expect(b.y.every((v) => v === 0 || v === 1)).toBe(true);
    expect(s.produced).toBe(100);
    expect(s.waitMs).toBeGreaterThanOrEqual(0);
  });

  it('centres lie inside the FOV; vessel_fraction 1 centres every patch on a vessel', () => {
    const uniform = new PatchSampler(images, patches({ per_epoch: 500 }), NO_AUG, 2);
    const vessel = new PatchSampler(images, patches({ per_epoch: 500, vessel_fraction: 1 }), NO_AUG, 2);
    const half = new PatchSampler(images, patches({ per_epoch: 2000, vessel_fraction: 0.5 }), NO_AUG, 2);
    let onVessel = 0;
    for (let k = 0; k < 500; k++) {
      const p = uniform.placement(0, k);
      const img = images[p.image];
      expect(img.fov[p.cy * img.width + p.cx]).toBe(1);
      onVessel += img.label![p.cy * img.width + p.cx];
      const v = vessel.placement(3, k);
      expect(images[v.image].label![v.cy * 64 + v.cx]).toBe(1);
      expect(images[v.image].fov[v.cy * 64 + v.cx]).toBe(1);
    }
    expect(onVessel / 500).toBeLessThan(0.3); // uniform: about the vessel share of the FOV
    let drawn = 0;
    for (let k = 0; k < 2000; k++) drawn += half.placement(0, k).vessel ? 1 : 0;
    expect(drawn / 2000).toBeGreaterThan(0.45);
    expect(drawn / 2000).toBeLessThan(0.55);
  });

  it('the centre pixel of an unaugmented patch is the sampled pixel', () => {
    const s = new PatchSampler(images, patches({ size: [16, 16] }), NO_AUG, 5);
    const b = s.batch(0, 0, 20);
    for (let i = 0; i < 20; i++) {
      const p = s.placement(0, i);
      const img = images[p.image];
      expect(b.x[i * 256 + 8 * 16 + 8]).toBe(img.pixels[p.cy * 64 + p.cx]);
      expect(b.y[i * 256 + 8 * 16 + 8]).toBe(img.label![p.cy * 64 + p.cx]);
    }
  });

  it('pads with zeros beyond the image border', () => {
    const s = new PatchSampler(images, patches({ size: [64, 64] }), NO_AUG, 5);
    const b = s.batch(0, 0, 1);
    const p = s.placement(0, 0);
    // the patch's top-left pixel reads source (cx - 32, cy - 32): outside the image when negative
    const sx = p.cx - 32;
    const sy = p.cy - 32;
    const expected = sx < 0 || sy < 0 ? 0 : images[p.image].pixels[sy * 64 + sx];
    expect(b.x[0]).toBe(expected);
  });

  it('is deterministic from (seed, epoch), fresh every epoch, independent of batch size', async () => {
    const aug: AugmentConfig = { ...NO_AUG, flip_horizontal: true, rotate: 10, brightness: 0.1, elastic: { alpha: 4, sigma: 3 } };
    const a = new PatchSampler(images, patches(), aug, 7);
    const b = new PatchSampler(images, patches(), aug, 7);
    const flat = (bs: Batch[]) => Float32Array.from(bs.flatMap((x) => [...x.x]));
    const e0 = flat(await collect(a, 0, 32));
    expect(flat(await collect(b, 0, 10))).toEqual(e0);
    expect(flat(await collect(a, 1, 32))).not.toEqual(e0);
    expect(flat(await collect(new PatchSampler(images, patches(), aug, 8), 0, 32))).not.toEqual(e0);
  });

  it('prefetches: a slow consumer does not wait', async () => {
    const s = new PatchSampler(images, patches({ per_epoch: 64 }), NO_AUG, 1, { prefetch: 3 });
    const it = s.batches(0, 8);
    await it.next();
    const before = s.waitMs;
    for (;;) {
      await new Promise((r) => setTimeout(r, 15)); // the consumer "trains"
      const r = await it.next();
      if (r.done) break;
    }
    expect(s.waitMs - before).toBeLessThan(15);
  });

  it('rejects images without labels', () => {
    expect(() => new PatchSampler([{ ...images[0], label: null }], patches(), NO_AUG, 1)).toThrow(/no label/);
  });
});

describe('gridPatches / cropPatch', () => {
  it('covers the image with the last patch flush with the edge', () => {
    expect(gridPatches({ width: 10, height: 4 }, [4, 4], [3, 3])).toEqual([
      { x: 0, y: 0 },
      { x: 3, y: 0 },
      { x: 6, y: 0 },
    ]);
    expect(gridPatches({ width: 3, height: 3 }, [4, 4], [2, 2])).toEqual([{ x: 0, y: 0 }]);
  });

  it('crops with zeros outside', () => {
    const px = Float32Array.from([1, 2, 3, 4]);
    expect([...cropPatch(px, 2, 2, 1, -1, 0, 2, 3)]).toEqual([0, 1, 2, 0, 3, 4]);
  });
});
