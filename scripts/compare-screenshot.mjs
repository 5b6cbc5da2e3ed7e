// Reproduces docs/compare.png, the README's picture of `r2u compare --html`:
// the quickstart sweep (4 trials, 6 epochs each so the curves have a shape;
// a few minutes on two CPU cores), its comparison page, and a screenshot of
// the page in headless Chromium (Debian's `chromium`, driven by playwright-core).
//
//   node scripts/compare-screenshot.mjs [FAMILY_DIR] [OUT_PNG]
//
// FAMILY_DIR defaults to runs/quickstart-sweep-shot; a finished sweep there is reused.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [family = 'runs/quickstart-sweep-shot', out = 'docs/compare.png'] = process.argv.slice(2);
const r2u = (...args) => execFileSync(process.execPath, ['bin/r2u.mjs', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });

r2u('sweep', 'run', 'specs/quickstart-sweep.r2u', '--out', family, '--set', 'train.epochs=6', '--set', 'train.early_stop.patience=6');
const dir = mkdtempSync(join(tmpdir(), 'r2u-compare-shot-'));
try {
  const html = join(dir, 'compare.html');
  r2u('compare', family, '--html', html);
  const browser = await chromium.launch({ executablePath: process.env.R2U_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1480, height: 900 } });
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() => document.body.dataset.state !== 'loading');
    await page.screenshot({ path: out, fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
