// The browser page in a real headless Chromium (Debian's `chromium`, driven by
// playwright-core, no browser download): a DRIVE photograph dropped on it must
// give the probability map `r2u predict` writes, within a float tolerance.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { readImageFile } from '../../src/runtime/data/image-io.js';
import { predictImages } from '../../src/runtime/eval/predict-images.js';
import { writeEnsemble } from '../../src/runtime/run/ensemble.js';
import { exportWeb, serveFolder } from '../../src/web/export.js';
import { hasChromium, launchChromium, requireChromium } from './chromium.js';

const IMAGE = resolve('../shared/data/DRIVE/training/images/21_training.tif');
// the shipped model is an ensemble of three: one network for the single-model page, two for the ensemble's
const MEMBERS = ['models/drive-r2unet/members/0', 'models/drive-r2unet/members/1'];
const hasImage = existsSync(IMAGE);
requireChromium('the browser page test');
if (!hasImage) console.log(`skipping the browser page test: ${IMAGE} is absent`);

/** Probabilities agree to this: both run TF.js's wasm kernels on the same preprocessed pixels (16-bit PNG steps are 1.5e-5). */
const MAX_ABS_DIFF = 1e-4;

const dirs: string[] = [];
const temp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The page exported from `checkpoint` segments a dropped DRIVE photograph as r2u predict does; returns the page's status line. */
async function pageMatchesPredict(checkpoint: string): Promise<string> {
  const site = temp('r2u-page-');
  await exportWeb(checkpoint, site);
  // browsers do not decode TIFF: the page gets the same pixels as a PNG
  const png = join(temp('r2u-img-'), '21_training.png');
  await sharp(IMAGE).png().toFile(png);
  const out = temp('r2u-pred-');
  const [predicted] = await predictImages(checkpoint, [png], { out, backend: 'wasm' });
  const saved = await readImageFile(predicted.files[0]);
  expect(saved.maxval).toBe(65535);
  const node = Float32Array.from(saved.data, (v) => v / 65535);

  const server = await serveFolder(site, 0);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/?backend=wasm`);
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 60_000 });
    const ready = (await page.textContent('#status')) ?? '';
    expect(ready).toMatch(/on wasm: drop a fundus photograph/);
    await page.setInputFiles('#file', png);
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 240_000 });
    const status = await page.textContent('#status');
    expect(status).toMatch(/^21_training\.png: 565 x 584, segmented in \d+ ms on wasm$/);
    const result = await page.evaluate(() => window.r2uLast!);
    console.log(`page: ${status}; node: ${Math.round(predicted.ms)} ms`);
    expect([result.width, result.height]).toEqual([565, 584]);
    const buf = Buffer.from(result.probBase64, 'base64');
    const web = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    expect(web.length).toBe(node.length);
    let max = 0;
    let sum = 0;
    let vessels = 0;
    for (let i = 0; i < web.length; i++) {
      const d = Math.abs(web[i] - node[i]);
      max = Math.max(max, d);
      sum += d;
      vessels += web[i] >= 0.5 ? 1 : 0;
    }
    console.log(`page vs r2u predict: max |Δp| ${max.toExponential(2)}, mean ${(sum / web.length).toExponential(2)}`);
    expect(max).toBeLessThan(MAX_ABS_DIFF);
    // a real vessel map, not an empty or saturated one
    expect(vessels / web.length).toBeGreaterThan(0.05);
    expect(vessels / web.length).toBeLessThan(0.2);
    expect(errors).toEqual([]);
    return ready;
  } finally {
    await browser.close();
    server.close();
  }
}

describe.skipIf(!hasChromium || !hasImage)('browser page (headless Chromium)', () => {
  it('segments a dropped DRIVE photograph as r2u predict does', async () => {
    await pageMatchesPredict(MEMBERS[0]);
  }, 400_000);

  it("segments with an ensemble's mean map as r2u predict does", async () => {
    // two members of the shipped ensemble: networks of different seeds, so the two maps differ
    const ensemble = join(temp('r2u-ensemble-'), 'drive-pair');
    await writeEnsemble(MEMBERS, ensemble);
    expect(await pageMatchesPredict(ensemble)).toMatch(/\(an ensemble of 2\) on wasm/);
  }, 600_000);
});
