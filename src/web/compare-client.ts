/// <reference lib="dom" />
// The drawing code of the comparison page (compare-page.ts bundles it into the
// file): the tables, one chart of validation curves per metric, parallel
// coordinates of the differing parameters against the monitored metric, and
// the best runs' panels. ECharts is the global the page's first script defines.
import type * as ECharts from 'echarts';
import type { EmbeddedComparison } from './compare-page.js';

declare const echarts: typeof ECharts;
type Run = EmbeddedComparison['runs'][number];

const data = JSON.parse(document.getElementById('r2u-data')!.textContent!) as EmbeddedComparison;
const page = document.getElementById('page')!;
const charts: ECharts.ECharts[] = [];

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};
const label = (metric: string): string => metric.replace(/^val_/, 'validation ').replace(/_/g, ' ');
/** What the figures are, by which epoch of each run they score (`r2u compare --at`). */
const SCORED_AT: Record<EmbeddedComparison['at'], (monitor: string) => string> = {
  model: (monitor) => `each run's model (its best epoch by ${monitor}, or its last)`,
  best: (monitor) => `best epoch by ${monitor}`,
  last: () => 'last epoch',
  heldout: () => "each validation image at the epoch its run's other images choose by Dice",
};
/** Parameter values as the tables print them: objects as their JSON. */
const paramText = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
const chart = (parent: HTMLElement, id: string, option: ECharts.EChartsOption, wide = false): void => {
  const box = parent.appendChild(el('div', { id, class: wide ? 'chart wide' : 'chart' }));
  const c = echarts.init(box, null, { renderer: 'svg' });
  c.setOption({ animation: false, color: data.runs.map((r) => r.color), ...option });
  charts.push(c);
};

function header(): void {
  page.append(el('h1', {}, data.title));
  page.append(el('p', { class: 'meta' }, `${data.runs.length} runs; ${SCORED_AT[data.at](label(data.monitor))}; changes (Δ) against ${data.baseline}; * marks the best value`));
}

function tables(): void {
  page.append(el('h2', {}, 'Comparison'));
  for (const t of data.tables) {
    const table = page.appendChild(el('div', { class: 'scroll' })).appendChild(el('table'));
    const head = table.appendChild(el('thead')).appendChild(el('tr'));
    t.headers.forEach((h, i) => head.append(el('th', t.right.includes(i) ? { class: 'right' } : {}, h)));
    const body = table.appendChild(el('tbody'));
    for (const row of t.rows) {
      const tr = body.appendChild(el('tr', row[0].endsWith('(baseline)') ? { class: 'baseline' } : {}));
      row.forEach((cell, i) => {
        const cls = [t.right.includes(i) ? 'right' : '', cell.endsWith('*') ? 'best' : ''].filter(Boolean).join(' ');
        tr.append(el('td', cls ? { class: cls } : {}, cell));
      });
    }
  }
}

function curves(): void {
  page.append(el('h2', {}, 'Validation curves'));
  // one legend for every chart: a run has the same colour in each
  const legend = page.appendChild(el('ul', { class: 'legend' }));
  for (const r of data.runs) {
    const item = legend.appendChild(el('li'));
    item.append(el('span', { class: 'swatch', style: `background:${r.color}` }), r.name);
  }
  const grid = page.appendChild(el('div', { class: 'charts' }));
  for (const metric of data.curves) {
    chart(grid, `curve-${metric}`, {
      title: { text: label(metric), left: 8, top: 6, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' },
      grid: { left: 56, right: 20, top: 40, bottom: 40 },
      xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 26, minInterval: 1, min: 'dataMin', max: 'dataMax' },
      yAxis: { type: 'value', scale: true },
      series: data.runs.map((r) => ({
        type: 'line',
        name: r.name,
        data: r.history.filter((h) => Number.isFinite(h[metric])).map((h) => [h.epoch, h[metric]]),
        symbolSize: 6,
        lineStyle: { width: 2, color: r.color },
        itemStyle: { color: r.color },
      })),
    });
  }
}

/** One axis per differing parameter (categorical unless every value is a number; logarithmic over a wide positive range), then the monitored metric. */
function parallel(): void {
  page.append(el('h2', {}, `Parameters against ${label(data.monitor)}`));
  const runs = data.runs.filter((r) => r.value !== null);
  if (data.params.length === 0 || runs.length === 0) {
    page.append(el('p', { class: 'meta' }, data.params.length === 0 ? 'No parameter differs between the runs.' : 'No run finished an epoch.'));
    return;
  }
  // category labels are cut to the room between two axes
  const labelWidth = Math.max(36, Math.min(140, page.clientWidth / (data.params.length + 1) - 12));
  const axes = data.params.map((p, dim) => {
    const values = runs.map((r) => r.params[p]);
    const name = p.split('.').slice(-2).join('.');
    if (values.every((v) => typeof v === 'number')) {
      const xs = values as number[];
      const wide = p !== 'seed' && Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) >= 10;
      return { dim, name, type: wide ? ('log' as const) : ('value' as const), scale: true };
    }
    const categories = [...new Set(values.map(paramText))].sort();
    return { dim, name, type: 'category' as const, data: categories, axisLabel: { width: labelWidth, overflow: 'truncate' as const } };
  });
  const numeric = (p: string) => axes[data.params.indexOf(p)].type !== 'category';
  chart(
    page,
    'parallel',
    {
      legend: { type: 'scroll', top: 6, left: 8, right: 8 },
      tooltip: {},
      parallel: { left: 60, right: 90, top: 60, bottom: 40, parallelAxisDefault: { nameLocation: 'end', nameGap: 16, nameTextStyle: { fontSize: 12 } } },
      parallelAxis: [...axes, { dim: axes.length, name: label(data.monitor), type: 'value', scale: true }],
      series: runs.map((r: Run) => ({
        type: 'parallel',
        name: r.name,
        lineStyle: { width: 2.5, opacity: 0.9, color: r.color },
        data: [[...data.params.map((p) => (numeric(p) ? (r.params[p] as number) : paramText(r.params[p]))), r.value!]],
      })),
    },
    true,
  );
}

function panels(): void {
  if (data.panels.length === 0) return;
  page.append(el('h2', {}, `Validation panels of the best runs (${label(data.monitor)})`));
  const row = page.appendChild(el('div', { class: 'panels' }));
  for (const p of data.panels) {
    const fig = row.appendChild(el('figure'));
    fig.append(el('figcaption', {}, `${p.run}: ${p.value.toFixed(4)}`));
    for (const img of p.images) {
      fig.append(el('img', { src: img.src, alt: `${p.run} ${img.name}` }));
      fig.append(el('figcaption', {}, img.name));
    }
  }
}

try {
  header();
  tables();
  curves();
  parallel();
  panels();
  addEventListener('resize', () => charts.forEach((c) => c.resize()));
  document.body.dataset.state = 'drawn';
} catch (err) {
  page.append(el('p', { class: 'error' }, `the page could not be drawn: ${(err as Error).stack ?? err}`));
  document.body.dataset.state = 'error';
  throw err;
}
