// Writes a run's report: training curves and validation panels.
import { join } from 'node:path';
import type { FundusImage } from '../data/index.js';
import type { ImageResult } from '../eval/evaluate.js';
import { writeFileAtomic } from '../run/atomic.js';
import { RUN_FILES } from '../run/folder.js';
import type { EpochRecord } from '../train/epoch-record.js';
import { curvesSvg, svgToPng } from './curves.js';
import { panelPng } from './panels.js';

/** Panel file name of an image id (ids come from file names, but stay safe). */
export const panelName = (id: string): string => `${id.replace(/[^\w.-]+/g, '_')}.png`;

export async function writeReport(runDir: string, history: readonly EpochRecord[], panels: { images: readonly FundusImage[]; results: readonly ImageResult[] } | null): Promise<void> {
  if (history.length > 0) {
    const svg = curvesSvg(history);
    await writeFileAtomic(join(runDir, RUN_FILES.curvesSvg), svg);
    await writeFileAtomic(join(runDir, RUN_FILES.curvesPng), await svgToPng(svg));
  }
  if (panels === null) return;
  for (const [i, img] of panels.images.entries()) {
    const res = panels.results[i];
    if (img.label === null) continue;
    const png = await panelPng({ width: img.width, height: img.height, channels: img.channels, pixels: img.pixels, label: img.label, fov: img.fov, prob: res.prob, mask: res.mask });
    await writeFileAtomic(join(runDir, RUN_FILES.panels, panelName(img.id)), png);
  }
}
