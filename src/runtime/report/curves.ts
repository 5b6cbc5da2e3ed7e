// Training curves (`curves.svg`, `curves.png`): a 2x2 grid of line charts,
// hand-written SVG so that no plotting dependency is needed; sharp renders it.
import sharp from 'sharp';
import type { EpochRecord } from '../train/epoch-record.js';

interface Series {
  label: string;
  color: string;
  values: number[];
}

interface Chart {
  title: string;
  series: Series[];
}

const W = 420;
const H = 260;
const PAD = { left: 56, right: 16, top: 30, bottom: 36 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number): string => (Math.abs(v) >= 100 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : v.toFixed(3));

function chart({ title, series }: Chart, epochs: number[], ox: number, oy: number): string {
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const e0 = epochs[0] ?? 1;
  const e1 = epochs[epochs.length - 1] ?? 1;
  const px = (e: number): number => PAD.left + (e1 === e0 ? 0.5 : (e - e0) / (e1 - e0)) * (W - PAD.left - PAD.right);
  const py = (v: number): number => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [
    `<g transform="translate(${ox},${oy})">`,
    `<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="#fafafa" stroke="#999"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    parts.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/>`,
      `<text x="${PAD.left - 4}" y="${py(v) + 4}" text-anchor="end" font-size="10">${fmt(v)}</text>`,
    );
  }
  const ticks = [...new Set([e0, Math.round((e0 + e1) / 2), e1])];
  for (const e of ticks) parts.push(`<text x="${px(e)}" y="${H - PAD.bottom + 14}" text-anchor="middle" font-size="10">${e}</text>`);
  parts.push(`<text x="${W / 2}" y="${H - 6}" text-anchor="middle" font-size="11">epoch</text>`);
  // legend in the title row, right-aligned, so it never hides a curve (text width estimated)
  const entryWidth = (label: string): number => 24 + label.length * 6.5;
  let lx = W - PAD.right - series.reduce((sum, s) => sum + entryWidth(s.label), 0);
  for (const s of series) {
    const pts = epochs.map((e, j) => [e, s.values[j]] as const).filter(([, v]) => Number.isFinite(v));
    if (pts.length > 1) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map(([e, v]) => `${px(e).toFixed(1)},${py(v).toFixed(1)}`).join(' ')}"/>`);
    for (const [e, v] of pts) parts.push(`<circle cx="${px(e).toFixed(1)}" cy="${py(v).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    parts.push(
      `<line x1="${lx}" x2="${lx + 16}" y1="14" y2="14" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${lx + 20}" y="18" font-size="11">${esc(s.label)}</text>`,
    );
    lx += entryWidth(s.label);
  }
  parts.push('</g>');
  return parts.join('\n');
}

export function curvesSvg(history: readonly EpochRecord[]): string {
  const epochs = history.map((r) => r.epoch);
  const col = (k: Exclude<keyof EpochRecord, 'val_images'>): number[] => history.map((r) => r[k]);
  const charts: Chart[] = [
    {
      title: 'Loss',
      series: [
        { label: 'train', color: '#1f77b4', values: col('loss') },
        { label: 'validation', color: '#d62728', values: col('val_loss') },
      ],
    },
    { title: 'Validation Dice', series: [{ label: 'dice', color: '#2ca02c', values: col('val_dice') }] },
    { title: 'Validation accuracy', series: [{ label: 'accuracy', color: '#9467bd', values: col('val_accuracy') }] },
    { title: 'Validation sensitivity', series: [{ label: 'sensitivity', color: '#ff7f0e', values: col('val_sensitivity') }] },
  ];
  const body = charts.map((c, i) => chart(c, epochs, (i % 2) * W, Math.floor(i / 2) * H)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${2 * H}" viewBox="0 0 ${2 * W} ${2 * H}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

export function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png().toBuffer();
}
