// The train / eval / predict commands through the real `r2u` binary: exit
// codes and messages of user mistakes, and one tiny run from spec to maps.
import { beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPEC, writeChaseFolder, writeEyeImage } from './cli-fixtures.js';
import { r2u, runR2u } from './run-r2u.js';



let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'r2u-cli-'));
  await writeFile(join(dir, 'tiny.r2u'), SPEC);
  await writeFile(join(dir, 'bad.r2u'), SPEC.replace('epochs 1', 'epochs -1'));
  await writeEyeImage(join(dir, 'eye.png'));
});

describe('r2u train / eval / predict', () => {
  it('trains, evaluates and predicts', async () => {
    const run = join(dir, 'run');
    const train = await r2u('train', join(dir, 'tiny.r2u'), '--out', run, '--backend', 'wasm', '--workers', '1');
    expect(train.err).not.toMatch(/\n\s+at /);
    expect(train.code).toBe(0);
    expect(train.out).toMatch(/backend: wasm/);
    expect(train.out).toMatch(/^\s+1 \|/m);
    // the tiny spec states no early stopping, so its model is its last epoch, and the last line says so
    expect(train.out).toMatch(/^done \(completed\): best val_loss [\d.]+ at epoch \d+; the model is the last epoch, \d+ \(no early stopping\); run folder /m);

    const ev = await r2u('eval', run, '--split', 'val', '--format', 'json', '--backend', 'wasm');
    expect(ev.code).toBe(0);
    const report = JSON.parse(ev.out);
    expect(report.configured.images.length).toBe(2);
    expect(report.configured.mean.auc).toBeGreaterThan(0);

    // another dataset, written as in a spec and read by the language's parser
    const other = await r2u('eval', run, '--dataset', 'synthetic(count: 3, size: 64 x 64, seed: 9)', '--format', 'json', '--backend', 'wasm');
    expect(other.code).toBe(0);
    expect(JSON.parse(other.out)).toMatchObject({ split: 'all', dataset: { kind: 'synthetic', count: 3 } });
    // a relative root is read from where the command is typed, and recorded as typed
    await writeChaseFolder(join(dir, 'chase'), 2);
    const chase = await runR2u(['eval', run, '--dataset', 'chase_db1("chase")', '--format', 'json', '--backend', 'wasm'], { cwd: dir });
    expect(chase.err).not.toMatch(/\n\s+at /);
    expect(chase.code).toBe(0);
    expect(JSON.parse(chase.out)).toMatchObject({ split: 'all', dataset: { kind: 'chase_db1', root: 'chase' } });
    expect(JSON.parse(await readFile(join(run, 'eval-chase_db1.json'), 'utf8')).dataset.root).toBe('chase');
    const bad = await r2u('eval', run, '--dataset', 'chase_db1("x", test: 99)');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/'test' is out of range: 99/);
    expect(bad.err).not.toMatch(/\n\s+at /);

    const out = join(dir, 'maps');
    const pr = await r2u('predict', run, join(dir, 'eye.png'), '--out', out, '--backend', 'wasm');
    expect(pr.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['eye.png', 'eye_mask.png']);
  });

  it('lengthens a finished run with --resume --set train.epochs, and refuses other changes', async () => {
    const run = join(dir, 'longer');
    expect((await r2u('train', join(dir, 'tiny.r2u'), '--out', run, '--backend', 'wasm', '--workers', '1')).code).toBe(0);
    const more = await r2u('train', '--resume', run, '--set', 'train.epochs=2', '--backend', 'wasm', '--workers', '1');
    expect(more.err).not.toMatch(/\n\s+at /);
    expect(more.code).toBe(0);
    expect(more.out).toMatch(/train.epochs: 1 -> 2/);
    expect(more.out).toMatch(/^\s+2 \|/m);
    const changed = await r2u('train', '--resume', run, '--set', 'train.batch=4', '--backend', 'wasm');
    expect(changed.code).toBe(2);
    expect(changed.err).toMatch(/only train.epochs and runtime settings may change/);
    const invalid = await r2u('train', '--resume', run, '--set', 'train.epochs=-3');
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/'epochs' is out of range: -3/);
    expect(invalid.err).not.toMatch(/\n\s+at /);
  });

  it("joins runs, or a family's finished trials, into an ensemble that eval and predict take", async () => {
    const [run, longer] = [join(dir, 'run'), join(dir, 'longer')];
    const ens = join(dir, 'ens');
    const made = await r2u('ensemble', run, longer, '--out', ens);
    expect(made.code).toBe(0);
    expect(made.err).toMatch(/ensemble: .*ens \(2 members: .*run, .*longer\)/);
    // scored on the validation images both members share, as training scores an epoch: what compare reads
    expect(made.err).toMatch(/^ensemble: validation dice \d\.\d{4}, auc \d\.\d{4} \(.+\), as training scores an epoch$/m);
    expect(JSON.parse(await readFile(join(ens, 'validation.json'), 'utf8')).val_images).toBeDefined();
    const ev = await r2u('eval', ens, '--split', 'val', '--format', 'json', '--backend', 'wasm');
    expect(ev.code).toBe(0);
    expect(ev.err).toMatch(/an ensemble of 2: the mean of their maps/);
    expect(JSON.parse(ev.out).configured.images.length).toBe(2);
    const pr = await r2u('predict', ens, join(dir, 'eye.png'), '--out', join(dir, 'ens-maps'), '--backend', 'wasm');
    expect(pr.code).toBe(0);
    expect((await readdir(join(dir, 'ens-maps'))).sort()).toEqual(['eye.png', 'eye_mask.png']);

    // a sweep family stands for its finished trials
    const family = join(dir, 'family');
    await mkdir(join(family, 'state'), { recursive: true });
    await writeFile(join(family, 'sweep.json'), JSON.stringify({ trials: ['seed=1', 'seed=2', 'seed=3'].map((alias) => ({ alias })) }));
    for (const [alias, from] of [['seed=1', run], ['seed=2', longer]]) {
      await cp(from, join(family, 'trials', alias), { recursive: true });
      await writeFile(join(family, 'state', `${alias}.json`), JSON.stringify({ status: 'done' }));
    }
    await writeFile(join(family, 'state', 'seed=3.json'), JSON.stringify({ status: 'pending' }));
    const fromFamily = await r2u('ensemble', family, '--out', join(dir, 'ens2'));
    expect(fromFamily.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'ens2', 'ensemble.json'), 'utf8')).sources).toEqual([join(family, 'trials', 'seed=1'), join(family, 'trials', 'seed=2')]);

    for (const [args, message] of [
      [[run], /at least 2 members, 1 given/],
      [[run, join(dir, 'nope')], /nope: no such run or checkpoint directory/],
      [[run, longer, '--out', ens], /already exists and is not empty/],
    ] as const) {
      const r = await r2u('ensemble', ...args, ...(args.includes('--out') ? [] : ['--out', join(dir, 'ens3')]));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it('trains `ensemble 2` as two seeds into one run folder that compare, eval and predict take', async () => {
    const run = join(dir, 'seeds');
    const plan = await r2u('train', join(dir, 'tiny.r2u'), '--set', 'train.ensemble=2', '--dry-run', '--backend', 'wasm');
    expect(plan.out).toMatch(/^ensemble: +2 members trained side by side on the CPU's cores, one core each, or one after another on a GPU \(seeds 3, 4\)/m);
    const train = await r2u('train', join(dir, 'tiny.r2u'), '--set', 'train.ensemble=2', '--out', run, '--backend', 'wasm', '--workers', '1');
    expect(train.err).not.toMatch(/\n\s+at /);
    expect(train.code).toBe(0);
    expect(train.out).toMatch(/^member 2 of 2: seed 4$/m);
    expect(train.out).toMatch(/^done: an ensemble of 2 \(seeds 3, 4\), validation dice \d\.\d{4}, auc \d\.\d{4}; run folder .*seeds$/m);
    const compared = await r2u('compare', join(dir, 'run'), run, '--format', 'json');
    expect(compared.code).toBe(0);
    expect(JSON.parse(compared.out).runs.map((r: { params: Record<string, unknown> }) => r.params.ensemble)).toEqual([null, '2 seeds']);
    // diff reads it without the runtime, as it reads runs
    const diffed = await r2u('diff', join(dir, 'run'), run);
    expect(diffed.err).toBe('');
    // the tiny spec states no early stopping, so a run's model is its last epoch
    expect([diffed.code, diffed.out]).toEqual([1, expect.stringMatching(/^\+ train\.ensemble: 2$[\s\S]*^last epoch +1 +— *$/m)]);
    const pr = await r2u('predict', run, join(dir, 'eye.png'), '--out', join(dir, 'seeds-maps'), '--backend', 'wasm');
    expect(pr.err).toMatch(/an ensemble of 2/);
    expect(pr.code).toBe(0);
  });

  it('dry-run prints the plan and writes nothing', async () => {
    const r = await r2u('train', join(dir, 'tiny.r2u'), '--dry-run', '--backend', 'wasm', '--out', join(dir, 'dry'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/split: +2 training, 2 validation/);
    expect(r.out).toMatch(/parameters: [\d,]+/);
    expect(await readdir(dir)).not.toContain('dry');
  });

  it('warns that a spec with a sweep, its own or inherited, trains its base experiment only', async () => {
    await writeFile(join(dir, 'family.r2u'), 'extends "tiny.r2u"\nexperiment family {\n  sweep {\n    seeds 101, 102\n  }\n}\n');
    await writeFile(join(dir, 'member.r2u'), 'extends "family.r2u"\nexperiment member {}\n');
    const own = await r2u('train', join(dir, 'family.r2u'), '--dry-run', '--backend', 'wasm');
    expect(own.code).toBe(0);
    expect(own.err).toMatch(/^warning: .*family\.r2u states a sweep of 2 trials; this trains its base experiment only/m);
    const inherited = await r2u('train', join(dir, 'member.r2u'), '--dry-run', '--backend', 'wasm');
    expect(inherited.code).toBe(0);
    expect(inherited.err).toMatch(/^warning: .*member\.r2u inherits a sweep of 2 trials from .*family\.r2u; this trains its base experiment only/m);
  });

  it('maps user mistakes to exit codes without stack traces', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['train', join(dir, 'bad.r2u')], 1, /error/],
      [['train', join(dir, 'missing.r2u')], 2, /no such file/],
      [['eval', join(dir, 'nowhere')], 2, /not a run folder/],
      [['predict', join(dir, 'nowhere'), 'x.png', '--out', dir], 2, /no such run or checkpoint/],
    ];
    for (const [args, code, message] of cases) {
      const r = await r2u(...args);
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});
