// `r2u sweep run` locally and `r2u compare`, through the real binary: a failing
// trial does not stop the others and keeps its log, a re-run skips finished
// trials, --retry-failed runs failed ones again, and the comparison reads the family.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { r2u, TINY_SWEEP } from './tiny-sweep.js';

let dir: string;
let spec: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'r2u-sweep-'));
  spec = join(dir, 'tiny.r2u');
  await writeFile(spec, TINY_SWEEP);
});

describe('r2u sweep run (local) and r2u compare', () => {
  it('runs every trial, reports failures with their logs, resumes, retries failed ones on request, and compares', async () => {
    const out = join(dir, 'family');
    const first = await r2u('sweep', 'run', spec, '--out', out);
    expect(first.err).not.toMatch(/\n\s+at /);
    expect(first.code).toBe(3);
    expect(first.err).toMatch(/trial 3\/4 dataset=drive[^:]*,seed=1: failed \(exit 3\): .*no-such-folder.*; log .*logs\/dataset=drive/);
    const family = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    expect(family.trials.map((t: { state: { status: string } }) => t.state.status)).toEqual(['done', 'done', 'failed', 'failed']);
    const done = family.trials[0];
    expect(existsSync(join(out, 'trials', done.alias, 'done.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'trials', done.alias, 'spec.json'), 'utf8')).seed).toBe(1);
    expect(first.out).toMatch(/2 of 4 trials finished/);

    const again = await r2u('sweep', 'run', spec, '--out', out);
    expect(again.out).toMatch(/skip .*seed=1: finished/);
    expect(again.out).toMatch(/skip dataset=drive.*seed=2: failed before/);
    expect(again.out).not.toMatch(/: training \(log/);

    const retry = await r2u('sweep', 'run', spec, '--out', out, '--retry-failed');
    expect(retry.out).not.toMatch(/trial 1\/4 .*: training/);
    expect(retry.out).toMatch(/trial 3\/4 .*training/);
    const failed = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')).trials[2];
    expect(failed.state).toMatchObject({ status: 'failed', attempts: 2, exitCode: 3 });
    const log = readFileSync(join(out, 'logs', `${failed.alias}.log`), 'utf8');
    expect(log.match(/^# .* r2u train /gm)).toHaveLength(2);

    const json = await r2u('compare', out, '--format', 'json');
    expect(json.code).toBe(0);
    const comparison = JSON.parse(json.out);
    expect(comparison.params).toEqual(['seed']);
    expect(comparison.runs).toHaveLength(2);
    const [a, b] = comparison.runs;
    expect(b.change.val_dice).toBeCloseTo(b.metrics.val_dice - a.metrics.val_dice, 12);
    expect(comparison.best.val_dice).toBe(a.metrics.val_dice >= b.metrics.val_dice ? a.name : b.name);

    // the records, exported without checkpoints, compare as the family does
    const records = join(dir, 'results', 'tiny');
    const exported = await r2u('sweep', 'export', out, records);
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(/exported 2 of 4 trials/);
    expect(existsSync(join(records, 'trials', a.name, 'checkpoints'))).toBe(false);
    expect(JSON.parse(readFileSync(join(records, 'trials', a.name, 'run.json'), 'utf8'))).toEqual({ created: expect.any(String), machine: expect.stringMatching(/ × .*GiB, Node v/), source: expect.stringMatching(/^r2u \d/) });
    expect(JSON.parse(readFileSync(join(records, 'sweep.json'), 'utf8')).trials.map((t: { state: { status: string } }) => t.state.status)).toEqual(['done', 'done', 'pending', 'pending']);
    expect(JSON.parse((await r2u('compare', records, '--format', 'json')).out).runs).toEqual(comparison.runs.map((r: { dir: string }) => ({ ...r, dir: r.dir.replace(out, records) })));
    expect((await r2u('sweep', 'status', records)).out).toMatch(/seed=1\s+done/);
    const other = join(dir, 'other');
    await writeFile(join(dir, 'other.r2u'), TINY_SWEEP.replace('seeds 1, 2', 'seeds 7'));
    await r2u('sweep', 'run', join(dir, 'other.r2u'), '--out', other);
    const clash = await r2u('sweep', 'export', other, records);
    expect(clash.code).toBe(2);
    expect(clash.err).toMatch(/holds the records of another sweep/);
    expect((await r2u('sweep', 'export', dir, join(dir, 'nothing'))).err).toMatch(/holds no sweep.json/);

    const text = await r2u('compare', join(out, 'trials', a.name), join(out, 'trials', b.name));
    expect(text.out).toMatch(/old \(.*seed=1\)\s+new \(.*seed=2\)\s+change/);
    expect(text.out).toMatch(new RegExp(`dice\\s+${a.metrics.val_dice.toFixed(4)}\\s+${b.metrics.val_dice.toFixed(4)}\\s+[+-]`));
    expect((await r2u('compare', out, '--format', 'md')).out).toMatch(/^\| +\| old .*\| change \|\n\| --- \| ---: \| ---: \| ---: \|/m);
    expect((await r2u('compare', out, '--format', 'csv')).out).toMatch(/^,"?old \(/);

    // r2u diff on two of the trained run folders: the spec diff, then the metric deltas
    const [runA, runB] = [join(out, 'trials', a.name), join(out, 'trials', b.name)];
    const diff = await r2u('diff', runA, runB);
    expect(diff.code).toBe(1);
    expect(diff.out).toMatch(/^~ seed: 1 → 2\n\n/);
    expect(diff.out).toMatch(new RegExp(`dice\\s+${a.metrics.val_dice.toFixed(4)}\\s+${b.metrics.val_dice.toFixed(4)}\\s+[+-]\\d`));
    const diffJson = JSON.parse((await r2u('diff', runA, runB, '--format', 'json')).out);
    expect(diffJson).toMatchObject({ equal: false, changes: [{ kind: 'changed', path: 'seed', before: 1, after: 2 }], monitor: { old: 'val_dice' } });
    expect(diffJson.metrics.find((m: { metric: string }) => m.metric === 'val_dice')).toEqual({ metric: 'val_dice', old: a.metrics.val_dice, new: b.metrics.val_dice, change: b.change.val_dice });
    expect((await r2u('diff', runA, runB, '--format', 'md')).out).toMatch(/\| seed \| `1` \| `2` \|[\s\S]*\| dice \| [\d.]+ \| [\d.]+ \| [+-][\d.]+ \|/);
    const same = await r2u('diff', runA, runA, '--format', 'json');
    expect(same.code).toBe(0);
    expect(JSON.parse(same.out)).toMatchObject({ equal: true, changes: [] });
    const mixed = await r2u('diff', runA, spec);
    expect(mixed.code).toBe(2);
    expect(mixed.err).toMatch(/is a run folder and .*tiny\.r2u is not: r2u diff compares two specs or two run folders/);
    expect((await r2u('diff', out, runA)).err).toMatch(/is a sweep folder: compare its trials with r2u compare/);

    const bad = await r2u('compare', dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/neither a run folder \(spec\.json\) nor a sweep folder/);
  }, 600_000);

  it('--baseline judges the family by its rule after each trial and starts no trial once it rejects; --first orders the trials, --only picks them', async () => {
    const judged = join(dir, 'judged.r2u');
    await writeFile(
      judged,
      TINY_SWEEP.replace(/ {2}sweep \{[\s\S]*?\n {2}\}\n/, '  sweep {\n    seeds 1, 2, 3\n    adopt if dice better in 3 of 3\n  }\n'),
    );
    const base = join(dir, 'judged-base');
    expect((await r2u('sweep', 'run', judged, '--out', base)).code).toBe(0);
    // the stride matters only to sliding windows: the same figures, so no pair is better, and
    // with two pairs in (the fewest r2u compare pairs) the rule has failed
    const out = join(dir, 'judged-candidate');
    const unknown = await r2u('sweep', 'run', judged, '--out', out, '--first', 'seed=9');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/--first seed=9: the plan has no such trial; its trials are seed=1, seed=2, seed=3/);
    // the last trials first, by number and by name: the rule rejects before the first trial starts
    const run = await r2u('sweep', 'run', judged, '--set', 'eval.stride=8x8', '--out', out, '--baseline', base, '--first', '3', '--first', 'seed=2');
    expect(run.err).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/verdict against .*judged-base \(adopt if dice better in 3 of 3\): REJECT, 'dice better in 3 of 3' fails: 0 of 2 \(with 2 of 3 pairs in/);
    expect(run.out).toMatch(/trial 3\/3 seed=3: training[\s\S]*trial 2\/3 seed=2: training/);
    // after the first trial a single pair is in: the log says why there is no verdict yet
    expect(run.out).toMatch(/trial 3\/3 seed=3: done\nverdict against .*judged-base: none yet; the rule judges from 2 pairs with the baseline on\ntrial 2\/3 seed=2: training/);
    expect(run.out).not.toMatch(/trial 1\/3 .*training/);
    expect(run.out).toMatch(/2 of 3 trials finished/);
    expect(run.out).toMatch(/the rule rejects the family, so 1 trial was not started/);
    // a re-run judges before it starts anything
    const again = await r2u('sweep', 'run', judged, '--set', 'eval.stride=8x8', '--out', out, '--baseline', base);
    expect(again.out).toMatch(/REJECT/);
    expect(again.out).not.toMatch(/: training \(log/);

    // --only trains the trials it names and no others; the same command without it trains the rest
    const screen = join(dir, 'judged-screen');
    const only = await r2u('sweep', 'run', judged, '--out', screen, '--only', 'seed=2');
    expect(only.code).toBe(0);
    expect(only.out).toMatch(/trial 2\/3 seed=2: training/);
    expect(only.out).not.toMatch(/trial [13]\/3 .*training/);
    expect(only.out).toMatch(/1 of 3 trials finished[\s\S]*2 trials were not named by --only; the same command without --only trains them/);
    expect((await r2u('sweep', 'run', judged, '--out', screen, '--only', 'seed=9')).err).toMatch(/--only seed=9: the plan has no such trial/);
    const both = await r2u('sweep', 'run', judged, '--out', screen, '--only', '1', '--first', '3');
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--only trains the trials it names, in the order named; --first has nothing left to order/);

    // a spec whose own sweep states no rule
    // is judged by the baseline family's, as r2u compare judges it; with neither, nothing trains
    const unruled = join(dir, 'unruled.r2u');
    await writeFile(unruled, (await readFile(judged, 'utf8')).replace(/\n\s*adopt if [^\n]*/, ''));
    const byBaseline = await r2u('sweep', 'run', unruled, '--set', 'eval.stride=8x8', '--out', out, '--baseline', base);
    expect(byBaseline.code).toBe(0);
    expect(byBaseline.out).toMatch(/verdict against .*judged-base \(adopt if dice better in 3 of 3\): REJECT/);
    expect(byBaseline.out).not.toMatch(/: training \(log/);
    const ruleless = await r2u('sweep', 'run', spec, '--out', join(dir, 'ruleless'), '--baseline', join(dir, 'family'));
    expect(ruleless.code).toBe(2);
    expect(ruleless.err).toMatch(/--baseline .*family: neither the spec's sweep nor the baseline family states an 'adopt if …' rule/);
    const missing = await r2u('sweep', 'run', judged, '--out', join(dir, 'missing'), '--baseline', join(dir, 'no-such-family'));
    expect(missing.code).toBe(2);
    expect(existsSync(join(dir, 'missing', 'trials'))).toBe(false);
    // --baseline repeats (seeds of one experiment join as one baseline): each family is read before anything trains
    const second = await r2u('sweep', 'run', judged, '--out', join(dir, 'missing'), '--baseline', base, '--baseline', join(dir, 'no-such-family'));
    expect(second.code).toBe(2);
    expect(second.err).toMatch(/no-such-family/);
    expect(existsSync(join(dir, 'missing', 'trials'))).toBe(false);

    // a rule scored at heldout needs the baseline's per-image records, checked before anything trains
    const heldoutRule = join(dir, 'heldout.r2u');
    await writeFile(heldoutRule, (await readFile(judged, 'utf8')).replace('adopt if dice', 'adopt if scored at heldout, dice'));
    const unrecorded = join(dir, 'judged-base-unrecorded');
    await cp(base, unrecorded, { recursive: true });
    for (const trial of await readdir(join(unrecorded, 'trials'))) {
      const metrics = join(unrecorded, 'trials', trial, 'metrics.jsonl');
      const lines = (await readFile(metrics, 'utf8')).trim().split('\n').map((l) => ({ ...JSON.parse(l), val_images: undefined }));
      await writeFile(metrics, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    }
    const refused = await r2u('sweep', 'run', heldoutRule, '--out', join(dir, 'heldout'), '--baseline', unrecorded);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/judged-base-unrecorded\/trials\/seed=1\/metrics\.jsonl: --at heldout scores each validation image at the epoch the others choose, and this run did not record/);
    expect(existsSync(join(dir, 'heldout', 'trials'))).toBe(false);
  }, 600_000);

  it('trains trials that are ensembles, resumes one stopped part-way from its finished members, and compares them', async () => {
    const seeds = join(dir, 'seeds.r2u');
    await writeFile(seeds, TINY_SWEEP.replace(/ {2}sweep \{[\s\S]*?\n {2}\}\n/, '  sweep {\n    seeds 1, 2\n  }\n'));
    const out = join(dir, 'ensembles');
    const first = await r2u('sweep', 'run', seeds, '--set', 'train.ensemble=2', '--out', out);
    expect(first.err).not.toMatch(/\n\s+at /);
    expect(first.code).toBe(0);
    // seed=2's trial as a stop during its second member leaves it: the first member copied, the second's run begun
    const trial = join(out, 'trials', 'seed=2');
    for (const f of ['members/1', 'ensemble.json', 'validation.json', 'done.json']) await rm(join(trial, f), { recursive: true });
    await writeFile(join(out, 'state', 'seed=2.json'), JSON.stringify({ status: 'stopped', attempts: 1 }));
    const again = await r2u('sweep', 'run', seeds, '--set', 'train.ensemble=2', '--out', out);
    expect(again.code).toBe(0);
    const log = readFileSync(join(out, 'logs', 'seed=2.log'), 'utf8');
    expect(log).toMatch(/r2u train --resume .*seed=2[\s\S]*member 1 of 2: seed 2: finished before\n[\s\S]*member 2 of 2: seed 3\n[\s\S]*done: an ensemble of 2/);
    const compared = JSON.parse((await r2u('compare', out, '--format', 'json')).out);
    expect(compared.runs.map((r: { name: string; params: Record<string, unknown> }) => [r.name, r.params.ensemble])).toEqual([['seed=1', '2 seeds'], ['seed=2', '2 seeds']]);
    // ensembles of other seeds are repeats of one experiment, as runs of other seeds are
    expect(compared.repeats.map((g: { label: string; runs: string[] }) => g.runs)).toEqual([['seed=1', 'seed=2']]);
  }, 600_000);

  it('plan prints the trials, and a spec without a sweep is a usage error', async () => {
    const plan = await r2u('sweep', 'plan', spec, '--format', 'json');
    expect(JSON.parse(plan.out)).toMatchObject({ count: 4, varying: ['data.dataset', 'seed'] });
    const single = join(dir, 'single.r2u');
    await writeFile(single, TINY_SWEEP.replace(/ {2}sweep \{[\s\S]*?\n {2}\}\n/, ''));
    const none = await r2u('sweep', 'plan', single);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/states no sweep/);
  }, 120_000);
});
