// The per-epoch table printed during training, one row per epoch, in the
// layout of the seed report's Table 1.
import type { EpochRecord } from './epoch-record.js';

const COLUMNS: Array<{ head: string; width: number; cell: (r: EpochRecord) => string }> = [
  { head: 'epoch', width: 5, cell: (r) => String(r.epoch) },
  { head: 'loss', width: 8, cell: (r) => num(r.loss) },
  { head: 'val_loss', width: 8, cell: (r) => num(r.val_loss) },
  { head: 'acc', width: 7, cell: (r) => num(r.val_accuracy) },
  { head: 'sens', width: 7, cell: (r) => num(r.val_sensitivity) },
  { head: 'spec', width: 7, cell: (r) => num(r.val_specificity) },
  { head: 'dice', width: 7, cell: (r) => num(r.val_dice) },
  { head: 'auc', width: 7, cell: (r) => num(r.val_auc) },
  { head: 'lr', width: 9, cell: (r) => r.lr.toExponential(2) },
  { head: 'time', width: 7, cell: (r) => `${r.time_s.toFixed(1)}s` },
];

function num(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : 'n/a';
}

export function tableHeader(): string {
  const head = COLUMNS.map((c) => c.head.padStart(c.width)).join(' | ');
  return `${head}\n${COLUMNS.map((c) => '-'.repeat(c.width)).join('-|-')}`;
}

export function tableRow(r: EpochRecord, note = ''): string {
  return COLUMNS.map((c) => c.cell(r).padStart(c.width)).join(' | ') + (note ? `  ${note}` : '');
}
