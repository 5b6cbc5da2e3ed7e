// A procedural fundus generator: the built-in dataset the quickstart trains on.
// Each image has a circular FOV, a bright optic disc, a darker fovea, an uneven
// illumination, low-frequency background texture, branching vessel trees that
// taper and vary in contrast (darker than the background, most of all in the
// green channel, as in real fundus photographs) and Gaussian noise. Labels are
// exact: a pixel is vessel when its centre lies within half the local width of
// a vessel centre line. Everything derives from (seed, image index).
import type { Dims } from '../../spec/config.js';
import { hashSeed, mulberry32, type Rng } from './rng.js';
import type { RawImage } from './types.js';

export interface SyntheticOptions {
  /** noise standard deviation, in [0,1] intensity units */
  readonly noise?: number;
}

/** `count` images of `size` (height x width); deterministic from `seed`. */
export function generateSynthetic(count: number, size: Dims, seed: number, opts: SyntheticOptions = {}): RawImage[] {
  const out: RawImage[] = [];
  for (let i = 0; i < count; i++) out.push(synthesizeFundus(size, hashSeed(seed, i), `syn${String(i + 1).padStart(3, '0')}`, opts));
  return out;
}

export function synthesizeFundus(size: Dims, seed: number, id: string, opts: SyntheticOptions = {}): RawImage {
  const [height, width] = size;
  const rng = mulberry32(seed);
  const s = Math.min(width, height);
  const n = width * height;
  const cx = width / 2 + rng.uniform(-0.02, 0.02) * s;
  const cy = height / 2 + rng.uniform(-0.02, 0.02) * s;
  const radius = 0.46 * s;

  // anatomy: optic disc on one side, fovea on the other, both near the horizontal axis
  const side = rng.next() < 0.5 ? -1 : 1;
  const disc = { x: cx + side * 0.55 * radius, y: cy + rng.uniform(-0.08, 0.08) * radius, r: rng.uniform(0.08, 0.1) * s };
  const fovea = { x: cx - side * 0.35 * radius, y: cy + rng.uniform(-0.05, 0.05) * radius, r: 0.1 * s };

  const darkness = new Float32Array(n);
  const label = new Uint8Array(n);
  const vessels = new VesselPainter(width, height, darkness, label, rng, s, { x: cx, y: cy, r: radius });
  // two arcades arching above and below the fovea, plus a few nasal vessels
  const toward = side > 0 ? Math.PI : 0;
  const trees = [
    toward - side * 0.5,
    toward + side * 0.5,
    toward - side * 0.25 + rng.uniform(-0.1, 0.1),
    toward + side * 0.25 + rng.uniform(-0.1, 0.1),
    toward + Math.PI - 0.6 + rng.uniform(-0.2, 0.2),
    toward + Math.PI + 0.6 + rng.uniform(-0.2, 0.2),
  ];
  for (const [k, angle] of trees.entries()) {
    // widths scale with the image, with a floor so small images still get visible trees
    const w0 = k < 2 ? Math.max(2.4, rng.uniform(0.015, 0.019) * s) : Math.max(1.8, rng.uniform(0.009, 0.013) * s);
    vessels.grow(disc.x, disc.y, angle, w0, rng.uniform(0.22, 0.32), 0, k < 2 ? -side * Math.sign(Math.sin(angle)) * 0.012 : 0);
  }

  // illumination: a linear gradient and a vignette; texture: a few broad blobs
  const base = rng.uniform(0.45, 0.58);
  const gx = rng.uniform(-0.22, 0.22);
  const gy = rng.uniform(-0.22, 0.22);
  const blobs = Array.from({ length: 6 }, () => ({
    x: cx + rng.uniform(-1, 1) * radius,
    y: cy + rng.uniform(-1, 1) * radius,
    inv: 1 / (2 * (rng.uniform(0.12, 0.3) * s) ** 2),
    a: rng.uniform(-0.05, 0.05),
  }));
  // every Gaussian bump is separable: precompute its row and column factors
  const bumps = [
    ...blobs,
    { x: disc.x, y: disc.y, inv: 1 / (2 * disc.r * disc.r), a: 0.32 },
    { x: disc.x, y: disc.y, inv: 4 / (2 * disc.r * disc.r), a: 0.12 },
    { x: fovea.x, y: fovea.y, inv: 1 / (2 * fovea.r * fovea.r), a: -0.08 },
  ].map((b) => ({
    a: b.a,
    ex: Float32Array.from({ length: width }, (_, x) => Math.exp(-((x + 0.5 - b.x) ** 2) * b.inv)),
    ey: Float32Array.from({ length: height }, (_, y) => Math.exp(-((y + 0.5 - b.y) ** 2) * b.inv)),
  }));
  const noise = opts.noise ?? 0.025;
  const gauss = normalPairs(rng);

  const pixels = new Float32Array(n * 3);
  const fov = new Uint8Array(n);
  for (let y = 0; y < height; y++) {
    const dy = (y + 0.5 - cy) / radius;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const dx = (x + 0.5 - cx) / radius;
      const r2 = dx * dx + dy * dy;
      if (r2 > 1) {
        // outside the FOV: near black, a little sensor noise
        for (let c = 0; c < 3; c++) pixels[i * 3 + c] = clamp01(0.015 + 0.005 * gauss());
        label[i] = 0;
        continue;
      }
      fov[i] = 1;
      let bg = base * (1 + gx * dx + gy * dy - 0.25 * r2);
      for (const b of bumps) bg += b.a * b.ex[x] * b.ey[y];
      const d = darkness[i];
      pixels[i * 3] = clamp01(Math.min(1, 0.3 + 0.9 * bg) * (1 - 0.4 * d) + noise * gauss());
      pixels[i * 3 + 1] = clamp01(bg * (1 - d) + noise * gauss());
      pixels[i * 3 + 2] = clamp01(0.35 * bg * (1 - 0.6 * d) + noise * gauss());
    }
  }
  return { id, sourcePath: `synthetic:${seed}:${id}`, width, height, channels: 3, pixels, label, fov };
}

/** Draws vessel trees: random walks that taper, branch and bifurcate. */
class VesselPainter {
  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly darkness: Float32Array,
    private readonly label: Uint8Array,
    private readonly rng: Rng,
    private readonly scale: number,
    private readonly fov: { x: number; y: number; r: number },
  ) {}

  /** one branch from (x, y) heading `angle`, with `curl` radians of steady turn per step */
  grow(x: number, y: number, angle: number, width: number, contrast: number, depth: number, curl: number): void {
    const rng = this.rng;
    const minWidth = Math.max(1.1, 0.0045 * this.scale);
    if (width < minWidth || depth > 7) return;
    const length = this.scale * rng.uniform(0.18, 0.32) * Math.sqrt(width / (0.017 * this.scale)) * (depth === 0 ? 1.8 : 1);
    const step = Math.max(1, 0.008 * this.scale);
    const steps = Math.max(2, Math.round(length / step));
    const endWidth = Math.max(minWidth, width * 0.8);
    const sideBranches = depth < 6 ? rng.int(3) + (depth === 0 ? 2 : 0) : 0;
    const branchAt = new Set(Array.from({ length: sideBranches }, () => 1 + rng.int(steps - 1)));
    for (let k = 0; k < steps; k++) {
      const w = width + ((endWidth - width) * k) / steps;
      angle += curl + 0.09 * rng.normal();
      const nx = x + step * Math.cos(angle);
      const ny = y + step * Math.sin(angle);
      this.segment(x, y, nx, ny, w, contrast);
      x = nx;
      y = ny;
      if ((x - this.fov.x) ** 2 + (y - this.fov.y) ** 2 > (this.fov.r + 4) ** 2) return;
      if (branchAt.has(k)) {
        const turn = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.5, 1.1);
        this.grow(x, y, angle + turn, w * rng.uniform(0.45, 0.7), Math.max(0.16, contrast * rng.uniform(0.8, 1)), depth + 1, 0);
      }
    }
    // bifurcation at the end: two children, the thinner one turning further
    const spread = rng.uniform(0.3, 0.6);
    this.grow(x, y, angle + spread, endWidth * rng.uniform(0.7, 0.85), Math.max(0.16, contrast * rng.uniform(0.85, 1)), depth + 1, curl);
    this.grow(x, y, angle - spread, endWidth * rng.uniform(0.55, 0.75), Math.max(0.16, contrast * rng.uniform(0.8, 1)), depth + 1, curl);
  }

  /** a capsule of diameter `w` around segment (x0,y0)-(x1,y1); pixel centres are at +0.5 */
  private segment(x0: number, y0: number, x1: number, y1: number, w: number, contrast: number): void {
    const half = w / 2;
    const xmin = Math.max(0, Math.floor(Math.min(x0, x1) - half - 1));
    const xmax = Math.min(this.width - 1, Math.ceil(Math.max(x0, x1) + half + 1));
    const ymin = Math.max(0, Math.floor(Math.min(y0, y1) - half - 1));
    const ymax = Math.min(this.height - 1, Math.ceil(Math.max(y0, y1) + half + 1));
    const vx = x1 - x0;
    const vy = y1 - y0;
    const len2 = vx * vx + vy * vy || 1;
    for (let y = ymin; y <= ymax; y++) {
      for (let x = xmin; x <= xmax; x++) {
        const px = x + 0.5 - x0;
        const py = y + 0.5 - y0;
        const t = Math.min(1, Math.max(0, (px * vx + py * vy) / len2));
        const d = Math.hypot(px - t * vx, py - t * vy);
        // antialiased edge half a pixel wide on each side of the exact boundary
        const cover = Math.min(1, Math.max(0, half + 0.5 - d));
        if (cover <= 0) continue;
        const i = y * this.width + x;
        if (d <= half) this.label[i] = 1;
        const v = contrast * cover;
        if (v > this.darkness[i]) this.darkness[i] = v;
      }
    }
  }
}

/** standard normals from Box-Muller, using both values of each pair */
function normalPairs(rng: Rng): () => number {
  let spare = 0;
  let has = false;
  return () => {
    if (has) {
      has = false;
      return spare;
    }
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const t = 2 * Math.PI * rng.next();
    spare = r * Math.sin(t);
    has = true;
    return r * Math.cos(t);
  };
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
