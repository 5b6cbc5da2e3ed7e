// The r2u command as a user runs it: exit codes, messages, --help everywhere.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runR2u } from './run-r2u.js';

const r2u = (...args: string[]) => runR2u(args, { env: { ...process.env, NO_COLOR: '1' } });
const dir = mkdtempSync(join(tmpdir(), 'r2u-cli-'));

describe('r2u command line', () => {
  it('has --help on every subcommand', async () => {
    const top = await r2u('--help');
    expect(top.code).toBe(0);
    const commands = [...top.out.split('Commands:')[1].matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['check', 'fmt', 'diff', 'schema']));
    for (const c of commands) {
      const h = await r2u(c, '--help');
      expect(h.code, c).toBe(0);
      expect(h.out, c).toContain(`Usage: r2u ${c}`);
    }
  });

  it('check: --set mistakes read as the in-process ones, in the language\'s words (bundled front end and ahead-of-time validator)', async () => {
    const { loadExperimentSync } = await import('../../src/compiler/load.js');
    const sets = ['train.epochs=-3', 'model.norm=weird', 'train.optimizer.lr=0'];
    const r = await r2u('check', 'specs/drive-r2unet.r2u', ...sets.flatMap((s) => ['--set', s]));
    expect(r.code).toBe(1);
    const inProcess = loadExperimentSync('specs/drive-r2unet.r2u', { sets }).diagnostics.map((d) => d.message);
    expect(inProcess.length).toBeGreaterThanOrEqual(3);
    for (const message of inProcess) expect(r.err).toContain(message);
    expect(r.err).toContain("error[bad-value]: 'epochs' is out of range: -3");
  });

  it('check: 0 for valid specs, 1 for an invalid one, 2 for a missing file or a directory', async () => {
    expect((await r2u('check', 'specs/drive-r2unet.r2u', 'specs/quickstart.r2u')).code).toBe(0);
    const bad = join(dir, 'bad.r2u');
    writeFileSync(bad, 'experiment bad {\n  model r2unet { depht 3 }\n}\n');
    const r = await r2u('check', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain("bad.r2u:2:18: error[unknown-key]: unknown statement 'depht' in 'model'");
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect((await r2u('check', join(dir, 'missing.r2u'))).code).toBe(2);
    const d = await r2u('check', dir);
    expect(d.code).toBe(2);
    expect(d.err).toContain('is a directory');
  });

  it('check: a non-UTF-8 file is an invalid spec with a message', async () => {
    const bin = join(dir, 'bin.r2u');
    writeFileSync(bin, Buffer.from([0x65, 0x78, 0xff, 0xfe, 0x00]));
    const r = await r2u('check', bin);
    expect(r.code).toBe(1);
    expect(r.err).toContain('not valid UTF-8');
  });

  it('check: --format json and --print', async () => {
    const r = await r2u('check', 'specs/drive-unet-baseline.r2u', '--print', '--format', 'json', '--set', 'train.batch=16');
    expect(r.code).toBe(0);
    const [report] = JSON.parse(r.out);
    expect(report.ok).toBe(true);
    expect(report.config.model.arch).toBe('unet');
    expect(report.config.train.batch).toBe(16);
  });

  it('check: bad flags are usage errors', async () => {
    expect((await r2u('check', 'specs/quickstart.r2u', '--format', 'yaml')).code).toBe(2);
    expect((await r2u('check')).code).toBe(2);
    expect((await r2u('nosuchcommand')).code).toBe(2);
  });

  it('fmt --check passes on the shipped specs and fails on an unformatted file', async () => {
    expect((await r2u('fmt', '--check', 'specs/drive-r2unet.r2u', 'specs/quickstart.r2u')).code).toBe(0);
    const messy = join(dir, 'messy.r2u');
    writeFileSync(messy, 'experiment m {seed 1}');
    const r = await r2u('fmt', '--check', messy);
    expect(r.code).toBe(1);
    expect(r.err).toContain('not formatted');
    expect((await r2u('fmt', messy)).code).toBe(0);
    expect((await r2u('fmt', '--check', messy)).code).toBe(0);
  });

  it('diff: 0 when equal, 1 with the changes when different, json on request', async () => {
    expect((await r2u('diff', 'specs/drive-r2unet-single.r2u', 'specs/drive-r2unet-single.r2u')).code).toBe(0);
    const r = await r2u('diff', 'specs/drive-r2unet-single.r2u', 'specs/drive-unet-baseline.r2u');
    expect(r.code).toBe(1);
    expect(r.out).toBe('~ name: drive_r2unet → drive_unet_baseline\n~ model.arch: r2unet → unet\n');
    const j = JSON.parse((await r2u('diff', 'specs/drive-r2unet-single.r2u', 'specs/drive-unet-baseline.r2u', '--format', 'json')).out);
    expect(j.changes).toContainEqual({ kind: 'changed', path: 'model.arch', before: 'r2unet', after: 'unet' });
  });

  it('diff: a changed adoption rule is a difference, though it changes no trial', async () => {
    const kfold = (rule: string) => `extends "${join(process.cwd(), 'specs/drive-r2unet-single.r2u')}"\nexperiment k {\n  data { split kfold 5 fold 0 }\n  sweep {\n    vary "data.split.fold" 0, 1, 2, 3, 4\n${rule}  }\n}\n`;
    writeFileSync(join(dir, 'rule-a.r2u'), kfold(''));
    writeFileSync(join(dir, 'rule-b.r2u'), kfold('    adopt if mean dice above 0, dice better in 4 of 5\n'));
    const r = await r2u('diff', join(dir, 'rule-a.r2u'), join(dir, 'rule-b.r2u'));
    expect([r.code, r.out]).toEqual([1, '~ sweep adopt if: (no rule) → mean dice above 0, dice better in 4 of 5\n']);
    const j = JSON.parse((await r2u('diff', join(dir, 'rule-b.r2u'), join(dir, 'rule-a.r2u'), '--format', 'json')).out);
    expect(j).toMatchObject({ equal: false, changes: [], trials: { added: [], removed: [] }, adopt: { from: 'mean dice above 0, dice better in 4 of 5', to: null } });
  });

  it('diff --format md: the changes as a table with old and new columns', async () => {
    const md = await r2u('diff', 'specs/drive-r2unet-single.r2u', 'specs/drive-unet-baseline.r2u', '--format', 'md');
    expect(md.code).toBe(1);
    expect(md.out).toMatch(/^\| setting \| old \| new \|\n\| --- \| --- \| --- \|\n\| name \| `drive_r2unet` \| `drive_unet_baseline` \|/);
    expect((await r2u('diff', 'specs/drive-r2unet-single.r2u', 'specs/drive-r2unet-single.r2u', '--format', 'html')).code).toBe(2);
  });

  it('a reader that leaves early (`| head`) ends the command quietly', async () => {
    const family = join(dir, 'family.r2u');
    writeFileSync(family, `extends "${join(process.cwd(), 'specs/quickstart.r2u')}"\nexperiment f {\n  train { epochs 4 }\n  sweep {\n    vary "model.filters" range(1, 10, step: 1)\n    vary "train.batch" range(1, 10, step: 1)\n    seeds 1, 2, 3\n  }\n}\n`);
    // 300 trials as JSON: more than a pipe holds, so later writes meet the closed pipe
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" bin/r2u.mjs sweep plan "${family}" --format json | head -c 1`], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{');
  });

  it('schema: prints a draft 2020-12 JSON Schema', async () => {
    const s = JSON.parse((await r2u('schema')).out);
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(s.properties.train.properties.optimizer.oneOf).toHaveLength(3);
  });

  it('schema --sweep: the schema of a sweep plan, which `sweep plan --format json` of the shipped sweeps meets', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const schema = JSON.parse((await r2u('schema', '--sweep')).out);
    expect(schema.$id).toBe('https://r2u.dev/schema/sweep-plan.json');
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    for (const spec of ['specs/quickstart-sweep.r2u', 'specs/drive-r2unet-sweep.r2u', 'specs/drive-r2unet-kfold.r2u']) {
      const plan = JSON.parse((await r2u('sweep', 'plan', spec, '--format', 'json')).out);
      expect(validate(plan), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(JSON.parse((await r2u('sweep', 'plan', 'specs/drive-r2unet-kfold.r2u', '--format', 'json')).out).adopt.text).toBe('scored at heldout, mean dice above 0.002, mean auc above 0, dice better in 4 of 5');
    expect(validate({ spec: 'x', count: 1, duplicates: 0, random: null, varying: [], trials: [{ index: 1, id: 'XYZ', alias: 'a', values: {}, sets: [] }] })).toBe(false);
  });

  it('sweep plan: the k-fold spec still names committed families\' trials (an optional field such as a split seed changes no content hash)', async () => {
    for (const family of ['results/drive-kfold-ref', 'results/drive-kfold-f16', 'results/drive-kfold-normds']) {
      const record = JSON.parse(readFileSync(join(family, 'sweep.json'), 'utf8')) as { spec: string; sets: string[]; trials: { id: string; alias: string }[] };
      // they trained before the reference took the weights' moving average: the k-fold spec without it
      const sets = [...record.sets, 'train.ema=0'];
      const plan = JSON.parse((await r2u('sweep', 'plan', record.spec, ...sets.flatMap((s) => ['--set', s]), '--format', 'json')).out) as { trials: { id: string; alias: string }[] };
      const ids = new Map(plan.trials.map((t) => [t.alias, t.id]));
      for (const t of record.trials) expect(ids.get(t.alias), `${family} ${t.alias}`).toBe(t.id);
    }
  });

  it('compare --adopt-if: the verdict on the committed k-fold records, and a bad rule named at its place (exit 1)', async () => {
    const families = ['results/drive-kfold-intensity', 'results/drive-kfold-elastic'];
    const r = await r2u('compare', ...families, '--adopt-if', 'mean dice above 0, mean auc above 0, dice better in 4 of 5');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^dice better in 4 of 5 +1 of 5 +no$/m);
    expect(r.out).toMatch(/^decision: REJECT +'mean dice above 0' fails: -0\.0024 over 5 pairs/m);
    const json = JSON.parse((await r2u('compare', ...families, '--adopt-if', 'mean auc above -0.01', '--json')).out);
    expect(json.paired[0].verdict).toMatchObject({ decision: 'adopt', from: '--adopt-if', rule: 'mean auc above -0.01' });
    const bad = await r2u('compare', ...families, '--adopt-if', 'mean dise above 0');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--adopt-if:1:6: error\[unknown-value\]: unknown metric 'dise'[\s\S]*did you mean `dice`/);
    expect(bad.out).toBe('');
  });

  it("compare: the committed seeds of the reference join as one baseline, and their ensembles pair fold by fold with the seeds' mean", async () => {
    const baseline = ['results/drive-kfold-ema-heldout', 'results/drive-kfold-ema-seeds'];
    const seeds = await r2u('compare', ...baseline, '--at', 'heldout');
    expect(seeds.code).toBe(0);
    expect(seeds.out).toMatch(/^repeats \(seeds, folds\)[\s\S]*^\S.* 15 +0\.7949 ± /m);
    const ensembles = ['0', '1', '2', '3', '4'].map((k) => `results/drive-kfold-ema-ens3-last/fold=${k}`);
    const r = await r2u('compare', ...baseline, ...ensembles, '--at', 'last', '--adopt-if', 'scored at last, mean dice above 0.002, mean auc above 0, dice better in 4 of 5');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/fold by fold: each side's mean over its seeds\) +pairs/);
    expect(r.out).toMatch(/^dice better in 4 of 5 +5 of 5 +yes$/m);
    expect(r.out).toMatch(/^decision: ADOPT +every clause holds on the 5 pairs/m);
  });

  it('compare --at last: the committed ema folds scored at their last epoch, where the best-epoch verdict was REJECT; a bad --at is a usage error (exit 2)', async () => {
    const families = ['results/drive-kfold-intensity', 'results/drive-kfold-ema'];
    expect((await r2u('compare', ...families)).out).toMatch(/^decision: REJECT /m);
    const last = await r2u('compare', ...families, '--at', 'last');
    expect(last.code).toBe(0);
    expect(last.out).toMatch(/^run +fold +ema +last epoch /m);
    expect(last.out).toMatch(/^dice better in 4 of 5 +2 of 3 +not yet$/m);
    expect(last.out).toMatch(/^decision: UNDECIDED +3 of 5 pairs in$/m);
    const bad = await r2u('compare', ...families, '--at', 'lats');
    expect([bad.code, bad.err.trim(), bad.out]).toEqual([2, "r2u: --at must be one of model, best, last, heldout, not 'lats'", '']);
    const unrecorded = await r2u('compare', ...families, '--at', 'heldout');
    expect(unrecorded.code).toBe(2);
    expect(unrecorded.err).toMatch(/drive-kfold-intensity\/trials\/fold=0\/metrics\.jsonl: --at heldout scores each validation image at the epoch the others choose, and this run did not record/);
  });

  it('compare --at heldout: 24 filters, adopted at their best epochs, are no better with each image scored at the epoch the others choose', async () => {
    const families = ['results/drive-kfold-intensity-images', 'results/drive-kfold-f24'];
    const best = await r2u('compare', ...families, '--at', 'best');
    expect(best.out).toMatch(/^decision: ADOPT +every clause holds on the 5 pairs$/m);
    // the reference family's rule scores at heldout, so that is the default
    const heldout = await r2u('compare', ...families);
    expect(heldout.code).toBe(0);
    expect(heldout.out).toMatch(/^run +.* +heldout epochs /m);
    expect(heldout.out).toMatch(/^decision: REJECT +'mean dice above 0\.002' fails: -0\.0003 over 5 pairs$/m);
  });
});
