// Full-image inference time of the shipped checkpoint at DRIVE size (565 x 584)
// and CHASE_DB1 size (999 x 960), in Node and in the browser page (headless
// Chromium, wasm), each the median of 3 runs after a warm-up. Data from
// ../shared/data (R2U_DRIVE_ROOT, R2U_CHASE_ROOT); Chromium at /usr/bin/chromium.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { loadFundusImage } from '../src/runtime/data/index.js';
import { loadPredictor } from '../src/runtime/eval/predictor.js';
import { createSegmenter } from '../src/runtime/eval/segment.js';
import { exportWeb, serveFolder } from '../src/web/export.js';
import { machineLine } from './machine.js';

const CHECKPOINT = 'models/drive-r2unet';
const RUNS = 3;
const images = [
  ['DRIVE 565 x 584', join(resolve(process.env.R2U_DRIVE_ROOT ?? '../shared/data/DRIVE'), 'training/images/21_training.tif')],
  ['CHASE_DB1 999 x 960', join(resolve(process.env.R2U_CHASE_ROOT ?? '../shared/data/CHASEDB1'), 'Image_11L.jpg')],
] as const;
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

console.log(`inference on ${machineLine()}`);
const predictor = await loadPredictor(CHECKPOINT, 'wasm');
const segmenter = createSegmenter(predictor.spec, predictor.preprocess, predictor);
console.log(`node: ${predictor.backend.description}`);
for (const [name, path] of images) {
  if (!existsSync(path)) {
    console.log(`  ${name}: skipped, ${path} is absent`);
    continue;
  }
  const raw = await loadFundusImage(path);
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    await segmenter.segment(raw);
    if (i > 0) times.push(performance.now() - t0);
  }
  console.log(`  ${name}: ${Math.round(median(times))} ms per image (segment.ts, decoded image to map)`);
}
predictor.dispose();

const chromium = '/usr/bin/chromium';
if (!existsSync(chromium)) console.log(`page: skipped, no ${chromium}`);
else {
  const dir = mkdtempSync(join(tmpdir(), 'r2u-bench-'));
  await exportWeb(CHECKPOINT, dir);
  const server = await serveFolder(dir, 0);
  const { chromium: browserType } = await import('playwright-core');
  const browser = await browserType.launch({
    executablePath: chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/?backend=wasm`);
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
  console.log('page: headless Chromium, wasm');
  for (const [name, path] of images) {
    if (!existsSync(path)) continue;
    const png = join(dir, 'input.png');
    await sharp(path).png().toFile(png);
    const times: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      // a fresh selection each time, or the same file would not fire `change` again
      await page.evaluate(() => {
        document.body.dataset.state = 'ready';
        (document.getElementById('file') as HTMLInputElement).value = '';
      });
      await page.setInputFiles('#file', png);
      await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 300_000 });
      if (i > 0) times.push(await page.evaluate(() => window.r2uLast!.ms));
    }
    console.log(`  ${name}: ${Math.round(median(times))} ms per image`);
  }
  await browser.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
