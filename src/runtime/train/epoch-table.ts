// The per-epoch table printed during training, one row per epoch, in the
// layout of the seed report's Table 1 (epoch | loss | val_loss | acc | sens |
// spec | dice | auc | lr | time). Metric columns follow `train.metrics`.
import { METRICS, valuesOf, type Metric } from '../../spec/vocabulary.js';
import type { EpochRecord } from './epoch-record.js';

interface Column {
  head: string;
  width: number;
  cell: (r: EpochRecord) => string;
}

const num = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : 'n/a');

const METRIC_COLUMNS: Record<Metric, Column> = {
  accuracy: { head: 'acc', width: 7, cell: (r) => num(r.val_accuracy) },
  sensitivity: { head: 'sens', width: 7, cell: (r) => num(r.val_sensitivity) },
  specificity: { head: 'spec', width: 7, cell: (r) => num(r.val_specificity) },
  precision: { head: 'prec', width: 7, cell: (r) => num(r.val_precision) },
  dice: { head: 'dice', width: 7, cell: (r) => num(r.val_dice) },
  auc: { head: 'auc', width: 7, cell: (r) => num(r.val_auc) },
};

const ORDER = valuesOf(METRICS);

function columns(metrics: readonly Metric[]): Column[] {
  return [
    { head: 'epoch', width: 5, cell: (r) => String(r.epoch) },
    { head: 'loss', width: 8, cell: (r) => num(r.loss) },
    { head: 'val_loss', width: 8, cell: (r) => num(r.val_loss) },
    ...ORDER.filter((m) => metrics.includes(m)).map((m) => METRIC_COLUMNS[m]),
    { head: 'lr', width: 9, cell: (r) => r.lr.toExponential(2) },
    { head: 'time', width: 7, cell: (r) => `${r.time_s.toFixed(1)}s` },
  ];
}

export function tableHeader(metrics: readonly Metric[]): string {
  const cols = columns(metrics);
  return `${cols.map((c) => c.head.padStart(c.width)).join(' | ')}\n${cols.map((c) => '-'.repeat(c.width)).join('-|-')}`;
}

export function tableRow(r: EpochRecord, metrics: readonly Metric[], note = ''): string {
  return columns(metrics)
    .map((c) => c.cell(r).padStart(c.width))
    .join(' | ') + (note ? `  ${note}` : '');
}
