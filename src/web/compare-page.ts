// `r2u compare --html FILE`: the comparison as one self-contained page for
// review. Everything is inside the file, so it opens offline and can be
// attached to a pull request: the data as JSON, Apache ECharts (read from
// node_modules, its minified build), the drawing code (compare-client.ts,
// bundled by esbuild) and the panels as data: URIs.
//
// ECharts was chosen over uPlot and Chart.js because it draws parallel
// coordinates with categorical and numeric axes natively; over Plotly because
// Plotly's parallel coordinates need WebGL and its bundle is four times larger.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EpochChoice } from '../spec/vocabulary.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** What the page shows; the command line gathers it from the compared runs. */
export interface ComparisonPageData {
  readonly title: string;
  readonly baseline: string;
  /** the metric that chose each run's best epoch, and the parallel coordinates' last axis */
  readonly monitor: string;
  /** which epoch of each run is scored (Comparison.at): model, best, last or heldout; model where the runs differ */
  readonly at: EpochChoice;
  /** the same tables as the terminal and Markdown output; `right` lists the right-aligned columns */
  readonly tables: ReadonlyArray<{ readonly headers: readonly string[]; readonly rows: ReadonlyArray<readonly string[]>; readonly right: readonly number[] }>;
  /** the configuration paths that differ between the runs */
  readonly params: readonly string[];
  /** the metrics drawn as curves over the epochs, one chart each */
  readonly curves: readonly string[];
  readonly runs: ReadonlyArray<{
    readonly name: string;
    readonly params: Readonly<Record<string, unknown>>;
    /** the monitored metric at the best epoch; null when no epoch finished */
    readonly value: number | null;
    readonly history: ReadonlyArray<Readonly<Record<string, number>>>;
  }>;
  /** validation panels of the best runs, best first */
  readonly panels: ReadonlyArray<{ readonly run: string; readonly value: number; readonly images: ReadonlyArray<{ readonly name: string; readonly src: string }> }>;
}

/** The page's embedded data: each run also gets its colour, the same in every chart. */
export type EmbeddedComparison = Omit<ComparisonPageData, 'runs'> & {
  readonly runs: ReadonlyArray<ComparisonPageData['runs'][number] & { readonly color: string }>;
};

/** ECharts' default palette for the first ten runs; beyond, hues a golden angle apart, so every run keeps its own colour. */
const PALETTE = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4', '#ea7ccc', '#2f4554'];
export const runColor = (i: number): string => PALETTE[i] ?? hslHex((i * 137.508) % 360, 0.6, 0.48);

/** #rrggbb of an HSL colour: the tests find each run's lines by this exact stroke. */
function hslHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number): string => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1)))).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

export async function comparisonPageHtml(data: ComparisonPageData): Promise<string> {
  const [library, client] = await Promise.all([
    readFile(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), 'utf8'),
    build({
      entryPoints: [join(HERE, 'compare-client.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      minify: true,
      logLevel: 'warning',
    }).then((r) => r.outputFiles[0].text),
  ]);
  const embedded: EmbeddedComparison = { ...data, runs: data.runs.map((r, i) => ({ ...r, color: runColor(i) })) };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body data-state="loading">
<main id="page"></main>
<script id="r2u-data" type="application/json">${JSON.stringify(embedded).replace(/</g, '\\u003c')}</script>
<script>${inlineScript(library)}</script>
<script>${inlineScript(client)}</script>
</body>
</html>
`;
}

/** Script text that cannot end its <script> element early (`</script`) or enter the HTML parser's escaped state (`<!--`). */
const inlineScript = (js: string): string => js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' } as const)[c as '&']};`);

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1f2328; background: #fff; }
main { max-width: 1480px; margin: 0 auto; padding: 16px 24px 40px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.meta { color: #59636e; margin: 0 0 12px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #d1d9e0; padding: 3px 8px; text-align: left; white-space: nowrap; }
th { background: #f6f8fa; } td.right, th.right { text-align: right; }
td.best { font-weight: 700; color: #1a7f37; } tr.baseline td:first-child { font-style: italic; }
.scroll { overflow-x: auto; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; }
.chart { height: 300px; border: 1px solid #d1d9e0; border-radius: 6px; }
.chart.wide { height: 360px; }
.panels { display: flex; gap: 12px; align-items: flex-start; overflow-x: auto; }
.panels figure { margin: 0; flex: 1 1 0; min-width: 260px; }
.panels img { width: 100%; display: block; border: 1px solid #d1d9e0; image-rendering: pixelated; }
.panels figcaption { color: #59636e; margin: 2px 0 10px; }
.legend { list-style: none; padding: 0; margin: 0 0 8px; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.swatch { display: inline-block; width: 14px; height: 4px; margin: 0 6px 3px 0; vertical-align: middle; border-radius: 2px; }
.error { color: #cf222e; white-space: pre-wrap; }
`;
