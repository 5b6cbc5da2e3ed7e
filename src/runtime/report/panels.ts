// Validation panels `panels/<id>.png`: input | ground truth | prediction |
// error map, side by side, with a caption strip naming each tile and the
// error colours.
import sharp from 'sharp';

/** Error-map colours: chosen to stay distinguishable for red-green colour blindness (magenta vs green). */
export const ERROR_COLORS = {
  tp: [255, 255, 255],
  fp: [255, 0, 255],
  fn: [0, 220, 0],
  tn: [0, 0, 0],
  outside: [48, 48, 64],
} as const;

export interface PanelInput {
  width: number;
  height: number;
  channels: number;
  /** preprocessed HWC pixels, rescaled to the visible range per channel */
  pixels: Float32Array;
  label: Uint8Array;
  fov: Uint8Array;
  prob: Float32Array;
  /** binary prediction (after post-processing) */
  mask: Uint8Array;
}

const GAP = 4;
const CAPTION = 22;

/** Per-channel min-max rescale of the FOV pixels to 0..255; shown in colour when there are 3 channels. */
function inputRgb(p: PanelInput): Uint8Array {
  const rgb = new Uint8Array(p.width * p.height * 3);
  const c = p.channels;
  for (let ch = 0; ch < Math.min(c, 3); ch++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < p.width * p.height; i++) {
      if (!p.fov[i]) continue;
      const v = p.pixels[i * c + ch];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const scale = hi > lo ? 255 / (hi - lo) : 0;
    for (let i = 0; i < p.width * p.height; i++) {
      const v = Math.round((p.pixels[i * c + ch] - lo) * scale);
      const byte = Math.min(255, Math.max(0, v));
      if (c >= 3) rgb[i * 3 + ch] = byte;
      else rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = byte;
    }
  }
  return rgb;
}

function errorColor(p: PanelInput, i: number): readonly number[] {
  if (!p.fov[i]) return ERROR_COLORS.outside;
  const truth = p.label[i] !== 0;
  const pred = p.mask[i] !== 0;
  if (truth) return pred ? ERROR_COLORS.tp : ERROR_COLORS.fn;
  return pred ? ERROR_COLORS.fp : ERROR_COLORS.tn;
}

function caption(width: number, tileWidth: number, gap: number): string {
  const names = ['input', 'ground truth', 'prediction', 'errors:'];
  const text = names
    .map((n, k) => `<text x="${k * (tileWidth + gap) + 4}" y="15">${n}</text>`)
    .join('');
  const x = 3 * (tileWidth + gap) + 56;
  const key = (
    [
      ['TP', ERROR_COLORS.tp],
      ['FP', ERROR_COLORS.fp],
      ['FN', ERROR_COLORS.fn],
    ] as const
  )
    .map(([name, c], k) => `<rect x="${x + k * 40}" y="5" width="11" height="11" fill="rgb(${c.join(',')})" stroke="#888"/><text x="${x + k * 40 + 14}" y="15">${name}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${CAPTION}" font-family="DejaVu Sans, sans-serif" font-size="12" fill="white">${text}${key}</svg>`;
}

/** Small images are enlarged (nearest neighbour) so that tiles stay readable next to their captions. */
const MIN_TILE_WIDTH = 180;

export async function panelPng(p: PanelInput): Promise<Buffer> {
  const { width: w, height: h } = p;
  const total = 4 * w + 3 * GAP;
  const out = new Uint8Array(total * h * 3).fill(32);
  const input = inputRgb(p);
  const put = (tile: number, i: number, rgb: ArrayLike<number>): void => {
    const y = Math.floor(i / w);
    const x = i - y * w;
    out.set(rgb, (y * total + tile * (w + GAP) + x) * 3);
  };
  for (let i = 0; i < w * h; i++) {
    put(0, i, input.subarray(i * 3, i * 3 + 3));
    const t = p.label[i] ? 255 : 0;
    put(1, i, [t, t, t]);
    const g = Math.round(Math.min(1, Math.max(0, p.prob[i])) * 255);
    put(2, i, [g, g, g]);
    put(3, i, errorColor(p, i));
  }
  const f = Math.max(1, Math.ceil(MIN_TILE_WIDTH / w));
  const scaled = await sharp(out, { raw: { width: total, height: h, channels: 3 } })
    .resize({ width: total * f, height: h * f, kernel: 'nearest' })
    .extend({ top: CAPTION, background: { r: 32, g: 32, b: 32 } })
    .raw()
    .toBuffer();
  return sharp(scaled, { raw: { width: total * f, height: h * f + CAPTION, channels: 3 } })
    .composite([{ input: Buffer.from(caption(total * f, w * f, GAP * f)), top: 0, left: 0 }])
    .png()
    .toBuffer();
}
