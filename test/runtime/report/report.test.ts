import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { curvesSvg, svgToPng } from '../../../src/runtime/report/curves.js';
import { ERROR_COLORS, panelPng } from '../../../src/runtime/report/panels.js';
import type { EpochRecord } from '../../../src/runtime/train/epoch-record.js';

const rec = (epoch: number, over: Partial<EpochRecord> = {}): EpochRecord => ({
  epoch,
  loss: 1 / epoch,
  val_loss: 1.1 / epoch,
  val_accuracy: 0.9,
  val_sensitivity: 0.6 + epoch / 100,
  val_specificity: 0.95,
  val_precision: 0.8,
  val_dice: 0.5 + epoch / 50,
  val_auc: 0.97,
  lr: 1e-3,
  time_s: 1,
  ...over,
});

describe('training curves', () => {
  it('draws four charts, skipping undefined values, and renders to PNG', async () => {
    const svg = curvesSvg([rec(1, { val_sensitivity: Number.NaN }), rec(2), rec(3)]);
    for (const title of ['Loss', 'Validation Dice', 'Validation accuracy', 'Validation sensitivity']) expect(svg).toContain(`>${title}<`);
    expect(svg).not.toContain('NaN');
    expect((svg.match(/<polyline/g) ?? []).length).toBe(5);
    const meta = await sharp(await svgToPng(svg)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 840, 520]);
  });

  it('handles a single epoch', () => {
    expect(curvesSvg([rec(1)])).not.toContain('NaN');
  });
});

describe('validation panels', () => {
  it('colours the error map: TP white, FP magenta, FN green, outside the FOV dark', async () => {
    // 4 pixels in a row: TP, FP, FN, outside FOV
    const png = await panelPng({
      width: 4,
      height: 1,
      channels: 1,
      pixels: Float32Array.of(0, 1, 2, 3),
      label: Uint8Array.of(1, 0, 1, 1),
      fov: Uint8Array.of(1, 1, 1, 0),
      prob: Float32Array.of(0.9, 0.8, 0.1, 0.9),
      mask: Uint8Array.of(1, 1, 0, 1),
    });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const f = info.width / (4 * 4 + 3 * 4); // enlargement factor of the 4-tile strip (tiles 4 px, gaps 4 px)
    const at = (x: number): number[] => {
      const o = ((info.height - 1) * info.width + Math.floor(x * f + f / 2)) * info.channels;
      return Array.from(data.subarray(o, o + 3));
    };
    const errorTile = 3 * (4 + 4);
    expect([at(errorTile), at(errorTile + 1), at(errorTile + 2), at(errorTile + 3)]).toEqual([
      [...ERROR_COLORS.tp],
      [...ERROR_COLORS.fp],
      [...ERROR_COLORS.fn],
      [...ERROR_COLORS.outside],
    ]);
  });
});
