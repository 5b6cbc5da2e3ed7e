// `r2u compare --html` on a real (tiny) sweep, opened from file:// in headless
// Chromium with the network off: the page draws everything from what is
// inside the file, with no console or page error, and shows the same tables
// as `r2u compare --format md`.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPARED_METRICS } from '../../src/cli/run-comparison.js';
import { runColor, type EmbeddedComparison } from '../../src/web/compare-page.js';
import { r2u, TINY_SWEEP } from '../cli/tiny-sweep.js';
import { hasChromium, launchChromium, requireChromium } from './chromium.js';

requireChromium('the comparison page test');

/** Two epochs, so each curve is a line; a numeric and a categorical parameter zipped, crossed with two seeds. */
const SPEC = TINY_SWEEP.replace('epochs 1', 'epochs 2').replace(
  /sweep \{[\s\S]*?\n {2}\}/,
  `sweep {
    zip width { vary "model.filters" 2, 3; vary "train.loss" bce_dice, dice }
    seeds 1, 2
  }`,
);

let dir: string;
beforeAll(async () => {
  // the page's title holds this path: '</script>' and '<!--' in it must not break the page
  dir = join(await mkdtemp(join(tmpdir(), 'r2u-compare-html-')), 'a</script><!--b');
  await mkdir(dir, { recursive: true });
});
afterAll(() => rm(dir.slice(0, dir.indexOf('/a<')), { recursive: true, force: true }));

describe.skipIf(!hasChromium)('r2u compare --html (headless Chromium)', () => {
  it('draws the tables, one curve per run in each chart, one parallel-coordinates line per run and the best runs\' panels, offline', async () => {
    const spec = join(dir, 'tiny.r2u');
    await writeFile(spec, SPEC);
    const family = join(dir, 'family');
    const run = await r2u('sweep', 'run', spec, '--out', family, '--parallel', '2');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const file = join(dir, 'compare.html');
    const written = await r2u('compare', family, '--html', file);
    expect(written.code).toBe(0);
    expect(written.err).toMatch(/compare: wrote .*compare\.html \(4 runs, \d+ KiB\)/);
    const html = await readFile(file, 'utf8');
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link\b|https?:\/\/[^"'\s]*\.(js|css)\b/);
    const md = (await r2u('compare', family, '--format', 'md')).out;
    const unwritable = await r2u('compare', family, '--html', join(dir, 'no-such-folder', 'x.html'));
    expect(unwritable.code).toBe(2);
    expect(unwritable.err).toMatch(/^r2u: --html .*no-such-folder\/x\.html: cannot write the page \(ENOENT\)\n$/);

    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ offline: true, viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 30_000 });
      expect(await page.evaluate(() => document.body.dataset.state)).toBe('drawn');
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
      expect(await page.textContent('h1')).toBe(`r2u compare ${family}`);

      const data = await page.evaluate(() => JSON.parse(document.getElementById('r2u-data')!.textContent!) as EmbeddedComparison);
      const colors = data.runs.map((r) => r.color);
      expect(data.runs).toHaveLength(4);
      expect(new Set(colors).size).toBe(4);
      expect(data.params).toEqual(expect.arrayContaining(['seed', 'model.filters']));

      // the tables: the same cells as the Markdown table, one row per run
      const tables = await page.$$eval('table', (ts) => ts.map((t) => Array.from(t.querySelectorAll('tr'), (tr) => Array.from(tr.children, (c) => c.textContent!))));
      const mdTables = md.trim().split('\n\n').map((block) => block.split('\n').filter((_, i) => i !== 1).map((l) => l.slice(2, -2).split(' | ').map((c) => c.trim())));
      expect(tables).toEqual(mdTables);
      expect(tables[0].length - 1).toBe(4);
      expect(tables[1].slice(1).map((r) => r[1])).toEqual(['2', '2']);
      // the best value of each metric marked
      expect(await page.$$eval('table:first-of-type td.best', (cells) => cells.length)).toBe(COMPARED_METRICS.length);

      // every chart: drawn at a real size, one line per run in the run's colour, coloured pixels on screen
      expect(data.curves).toEqual(expect.arrayContaining(['val_dice', 'val_loss']));
      for (const id of [...data.curves.map((m) => `curve-${m}`), 'parallel']) {
        const box = page.locator(`#${id} svg`);
        const size = await box.boundingBox();
        expect(size!.width, id).toBeGreaterThan(300);
        expect(size!.height, id).toBeGreaterThan(200);
        const lines = await box.evaluate((svg, cs) => cs.map((c) => Array.from(svg.querySelectorAll(`path[fill="none"][stroke="${c}"]`), (p) => p.getAttribute('d')!)), colors);
        for (const [i, ds] of lines.entries()) {
          expect(ds, `${id}: lines of ${data.runs[i].name}`).toHaveLength(1);
          // a polyline through every epoch (curves: 2) or every axis (parallel coordinates: the parameters and the metric)
          expect(ds[0].match(/[ML]/g)!.length, id).toBe(id === 'parallel' ? data.params.length + 1 : 2);
        }
        const { data: pixels, info } = await sharp(await box.screenshot()).raw().toBuffer({ resolveWithObject: true });
        let coloured = 0;
        for (let p = 0; p < pixels.length; p += info.channels) {
          const [r, g, b] = [pixels[p], pixels[p + 1], pixels[p + 2]];
          if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
        }
        expect(coloured, `${id}: coloured pixels`).toBeGreaterThan(300);
      }
      const axes = await page.evaluate(() => {
        const chart = (globalThis as unknown as { echarts: typeof import('echarts') }).echarts.getInstanceByDom(document.getElementById('parallel')!)!;
        return (chart.getOption().parallelAxis as Array<{ name: string; type: string }>).map((a) => `${a.name}:${a.type}`);
      });
      expect(axes).toEqual(expect.arrayContaining(['seed:value', 'model.filters:value', 'loss.kind:category', 'validation dice:value']));

      // the panels of the three best runs, every image decoded
      expect(data.panels.map((p) => p.run)).toHaveLength(3);
      const images = await page.$$eval('.panels img', (imgs) => imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth));
      expect(images.length).toBe(data.panels.reduce((n, p) => n + p.images.length, 0));
      expect(images.length).toBeGreaterThanOrEqual(3);
      for (const w of images) expect(w).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);
});

it('gives every run of a large family its own colour, as #rrggbb (the lines are found by it)', () => {
  const colors = Array.from({ length: 60 }, (_, i) => runColor(i));
  expect(new Set(colors).size).toBe(60);
  for (const c of colors) expect(c).toMatch(/^#[0-9a-f]{6}$/);
});
