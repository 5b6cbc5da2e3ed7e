// A trial's state as the family folder records it: a trial recorded as
// running whose process on this machine is gone reads as stopped, so that
// `sweep status` does not report a killed trial as training and `sweep run`
// trains it again.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRuns } from '../../src/cli/run-comparison.js';
import { exportFamily, readState } from '../../src/cli/sweep-family.js';
import { DEFAULT_EXPERIMENT } from '../../src/spec/defaults.js';

const out = mkdtempSync(join(tmpdir(), 'r2u-family-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function recordRunning(alias: string, host: string, pid: number): void {
  mkdirSync(join(out, 'state'), { recursive: true });
  writeFileSync(join(out, 'state', `${alias}.json`), JSON.stringify({ status: 'running', attempts: 1, host, pid }));
}

describe('readState', () => {
  it('reads a running trial whose process is gone as stopped, and one it cannot ask after as running', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    recordRunning('killed', hostname(), gone);
    expect(await readState(out, 'killed')).toMatchObject({ status: 'stopped', attempts: 1 });
    recordRunning('alive', hostname(), process.pid);
    expect((await readState(out, 'alive')).status).toBe('running');
    recordRunning('elsewhere', `not-${hostname()}`, gone);
    expect((await readState(out, 'elsewhere')).status).toBe('running');
    expect(await readState(out, 'never-started')).toEqual({ status: 'pending', attempts: 0 });
  });
});

describe('exportFamily', () => {
  it("keeps an ensemble trial's manifest, validation report and members' records, not their weights, and compare reads the export", async () => {
    const family = join(out, 'ens-family');
    const trial = join(family, 'trials', 'fold=0');
    const spec = JSON.stringify({ ...DEFAULT_EXPERIMENT, train: { ...DEFAULT_EXPERIMENT.train, ensemble: 2 } });
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(trial, file)), { recursive: true });
      writeFileSync(join(trial, file), text);
    };
    write('spec.json', spec);
    write('run.json', JSON.stringify({ cwd: '/somewhere', created: 'today', machine: '2 × AMD EPYC' }));
    const trainedOn = { machine: '2 × AMD EPYC', backend: 'native (oneDNN)' };
    write('ensemble.json', JSON.stringify({ members: ['members/0', 'members/1'], sources: ['member-runs/0', 'member-runs/1'], trained_on: [trainedOn, trainedOn] }));
    write('validation.json', JSON.stringify({ val_loss: 0.3, val_accuracy: 0.95, val_sensitivity: 0.8, val_specificity: 0.97, val_precision: 0.8, val_dice: 0.81, val_auc: 0.97, val_images: {} }));
    for (const i of [0, 1]) {
      const member = JSON.stringify({ ...DEFAULT_EXPERIMENT, seed: 42 + i });
      write(`members/${i}/spec.json`, member);
      write(`members/${i}/weights.bin`, 'weights');
      write(`member-runs/${i}/spec.json`, member);
      write(`member-runs/${i}/metrics.jsonl`, '{"epoch":1,"val_dice":0.8}\n');
      write(`member-runs/${i}/backend.json`, JSON.stringify({ description: 'native (oneDNN)' }));
      write(`member-runs/${i}/checkpoints/best/weights.bin`, 'weights');
    }
    write('done.json', '{}');
    writeFileSync(join(family, 'sweep.json'), JSON.stringify({ spec: 'x.r2u', trials: [{ index: 1, id: 'abc', alias: 'fold=0', values: {}, sets: [], state: { status: 'done', attempts: 1 } }] }));

    const dest = join(out, 'ens-records');
    expect(await exportFamily(family, dest)).toEqual({ finished: 1, trials: 1 });
    const files = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
    expect(files(join(dest, 'trials', 'fold=0'))).toEqual([
      'done.json', 'ensemble.json',
      'member-runs/0/backend.json', 'member-runs/0/metrics.jsonl', 'member-runs/0/spec.json',
      'member-runs/1/backend.json', 'member-runs/1/metrics.jsonl', 'member-runs/1/spec.json',
      'members/0/spec.json', 'members/1/spec.json', 'run.json', 'spec.json', 'validation.json',
    ]);
    const [run] = await loadRuns([dest]);
    expect([run.ensemble, run.scored?.metrics.val_dice, run.machine, run.backend]).toEqual(['2 seeds', 0.81, '2 × AMD EPYC', 'native (oneDNN)']);
  });

  it('names the spec relative to its checkout, whichever folder exports it', async () => {
    const checkout = join(out, 'checkout');
    mkdirSync(join(checkout, '.git'), { recursive: true });
    const family = join(out, 'elsewhere-family');
    mkdirSync(join(family, 'trials'), { recursive: true });
    const plan = { spec: join(checkout, 'specs', 'k.r2u'), trials: [{ index: 1, id: 'abc', alias: 'fold=0', values: {}, sets: [], state: { status: 'pending', attempts: 0 } }] };
    writeFileSync(join(family, 'sweep.json'), JSON.stringify(plan));
    await exportFamily(family, join(out, 'elsewhere-records'));
    expect(JSON.parse(readFileSync(join(out, 'elsewhere-records', 'sweep.json'), 'utf8')).spec).toBe('specs/k.r2u');
    // outside any checkout it is the path as given
    writeFileSync(join(family, 'sweep.json'), JSON.stringify({ ...plan, spec: '/nowhere/k.r2u' }));
    await exportFamily(family, join(out, 'loose-records'));
    expect(JSON.parse(readFileSync(join(out, 'loose-records', 'sweep.json'), 'utf8')).spec).toBe('/nowhere/k.r2u');
  });
});
