import { describe, expect, it } from 'vitest';
import { initialMonitorState, updateMonitor } from '../../../src/runtime/train/early-stop.js';
import type { EpochRecord } from '../../../src/runtime/train/epoch-record.js';
import { tableHeader, tableRow } from '../../../src/runtime/train/epoch-table.js';
import { EpochProgress, formatDuration } from '../../../src/runtime/train/progress.js';
import { defaultRunDir } from '../../../src/runtime/run/folder.js';

const rec = (epoch: number, val_loss: number, val_dice = 0.5): EpochRecord => ({
  epoch,
  loss: 1,
  val_loss,
  val_accuracy: 0.9,
  val_sensitivity: 0.7,
  val_specificity: 0.95,
  val_precision: 0.8,
  val_dice,
  val_auc: 0.97,
  lr: 1e-3,
  time_s: 2.25,
});

describe('monitor and early stopping', () => {
  it('stops after `patience` epochs without improvement and remembers the best', () => {
    let s = initialMonitorState('val_loss');
    const seen: Array<[boolean, boolean]> = [];
    for (const [e, v] of [
      [1, 0.5],
      [2, 0.4],
      [3, 0.45],
      [4, 0.4],
      [5, 0.41],
    ] as const) {
      const u = updateMonitor(s, rec(e, v), 3);
      s = u.state;
      seen.push([u.improved, u.stop]);
    }
    expect(seen).toEqual([
      [true, false],
      [true, false],
      [false, false],
      [false, false], // equal is not better
      [false, true],
    ]);
    expect([s.best, s.bestEpoch]).toEqual([0.4, 2]);
  });

  it('maximises dice-like monitors, never improves on NaN, never stops without patience', () => {
    let s = initialMonitorState('val_dice');
    s = updateMonitor(s, rec(1, 0, 0.3), null).state;
    const nan = updateMonitor(s, rec(2, 0, Number.NaN), null);
    expect(nan.improved).toBe(false);
    expect(nan.stop).toBe(false);
    const up = updateMonitor(nan.state, rec(3, 0, 0.6), null);
    expect([up.improved, up.state.best, up.state.wait]).toEqual([true, 0.6, 0]);
  });
});

describe('console output', () => {
  it('prints aligned table rows with n/a for undefined metrics', () => {
    const metrics = ['accuracy', 'sensitivity', 'specificity', 'dice', 'auc'] as const;
    const [head, rule] = tableHeader(metrics).split('\n');
    const row = tableRow({ ...rec(3, 0.1234567), val_sensitivity: Number.NaN }, metrics, '* best');
    expect(head.split('|').map((c) => c.trim())).toEqual(['epoch', 'loss', 'val_loss', 'acc', 'sens', 'spec', 'dice', 'auc', 'lr', 'time']);
    expect(row.split('|').map((c) => c.trim())[4]).toBe('n/a');
    expect(row.indexOf('|')).toBe(head.indexOf('|'));
    expect(rule.length).toBe(head.length);
    expect(row).toContain('0.1235');
    expect(row.endsWith('* best')).toBe(true);
    expect(tableHeader(['auc', 'precision']).split('\n')[0].split('|').map((c) => c.trim())).toEqual(['epoch', 'loss', 'val_loss', 'prec', 'auc', 'lr', 'time']);
  });

  it('writes plain progress lines when not on a terminal', () => {
    const out: string[] = [];
    const p = new EpochProgress({ write: (s) => out.push(s) }, 1, 3, 20, false);
    for (let s = 1; s <= 20; s++) p.update(s, s * 8, 0.5);
    p.done();
    expect(out.length).toBe(10);
    expect(out[9]).toMatch(/^epoch 1\/3 step 20\/20 .* patches\/s {2}ETA 0s {2}loss 0\.5000\n$/);
  });

  it('redraws one live line on a terminal', () => {
    const out: string[] = [];
    const p = new EpochProgress({ write: (s) => out.push(s), isTTY: true, columns: 100 }, 2, 3, 4, true);
    p.update(4, 32, 0.25);
    p.done();
    expect(out[0]).toMatch(/^\r\x1b\[2Kepoch 2\/3 \[=+\] 4\/4/);
    expect(out.every((s) => !s.includes('\n'))).toBe(true);
  });

  it('formats durations and run folder names', () => {
    expect([formatDuration(5), formatDuration(125), formatDuration(7380)]).toEqual(['5s', '2m05s', '2h03m']);
    expect(defaultRunDir('drive', new Date(2026, 0, 2, 3, 4, 5))).toBe('runs/drive-20260102-030405');
  });
});
