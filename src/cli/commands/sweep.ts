// `r2u sweep plan SPEC`: the trials a spec's `sweep { … }` states, without training.
// `r2u sweep run SPEC [--out DIR] [--parallel N] [--retry-failed] [--baseline FAMILY]… [--first TRIAL]… [--only TRIAL]… [--queue redis://…]`:
// trains every trial into one family folder (sweep-family.ts), locally or by
// enqueueing them for `r2u worker`; finished trials are skipped on a re-run.
// With --baseline, the spec's `adopt if …` judges the family after each trial,
// and no trial starts once the rule has rejected it; --first trains the named
// trials before the others (the hard folds, say, so that the rule can reject early);
// --only trains the named trials and no others (a screen on the hard folds, which
// the same command without --only continues).
// `r2u sweep status SPEC|DIR [--out DIR] [--queue redis://…]`: each trial's state.
// `r2u sweep export DIR DEST`: the family's records, small enough to commit (results/).
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadExperimentSync, type SweepPlan } from '../../compiler/index.js';
import { EXIT } from '../exit-codes.js';
import { collect, parseCount, parseFormat, specSets, UsageError, type OutputFormat } from '../flags.js';
import { exitCodeFor, printDiagnostics } from '../print-diagnostics.js';
import type { Verdict } from '../adoption-verdict.js';
import { compareRuns, COMPARED_METRICS, loadRuns } from '../run-comparison.js';
import { entryOf, readFamily, readState, runTrial, shown, trialLog, writeFamily, type FamilyFile, type TrialEntry } from '../sweep-family.js';
import { renderTable, type Table } from '../table.js';

/** As in trial-queue.ts, stated here so that `r2u sweep --help` does not load BullMQ. */
const DEFAULT_TUNING = { attempts: 3, backoffMs: 5000 };

interface RunFlags {
  readonly set: string[];
  readonly backend?: string;
  readonly workers?: string;
  readonly out?: string;
  readonly parallel: string;
  readonly retryFailed?: boolean;
  readonly baseline: string[];
  readonly first: string[];
  readonly only: string[];
  readonly queue?: string;
  readonly attempts: string;
  readonly backoff: string;
}

export function registerSweep(program: Command): void {
  const sweep = program.command('sweep').description("plan, run and follow the family of trials a spec's sweep { … } states");
  sweep
    .command('plan')
    .description('the trial count and a table of trials with their varying values; no training')
    .argument('<spec>', 'experiment spec with a sweep')
    .option('--set <path=value>', 'override a setting of every trial (repeatable)', collect, [])
    .option('--format <format>', 'text or json', parseFormat, 'text' as OutputFormat)
    .action((spec: string, opts: { set: string[]; format: OutputFormat }) => {
      const plan = loadPlan(spec, opts.set);
      if (typeof plan === 'number') return void (process.exitCode = plan);
      if (opts.format === 'json') {
        process.stdout.write(JSON.stringify({ spec, count: plan.trials.length, duplicates: plan.duplicates, random: plan.random ?? null, varying: plan.varying, adopt: plan.adopt ?? null, trials: plan.trials.map(entryOf) }, null, 2) + '\n');
      } else {
        process.stdout.write(`${spec}: ${plan.trials.length} trial${plan.trials.length === 1 ? '' : 's'} varying ${plan.varying.join(', ')}${plan.random ? `, drawn by random ${plan.random.count} seed ${plan.random.seed}` : ''}${plan.duplicates ? ` (${plan.duplicates} duplicate combinations dropped)` : ''}${inherited(plan)}\n\n`);
        process.stdout.write(renderTable(planTable(plan.varying, plan.trials.map(entryOf)), 'text') + '\n');
        if (plan.adopt) process.stdout.write(`\nadopted over a baseline family if ${plan.adopt.text} (r2u compare BASELINE FAMILY judges it)\n`);
      }
      process.exitCode = EXIT.ok;
    });
  sweep
    .command('run')
    .description('train every trial into one family folder, locally or through a queue (finished trials are skipped)')
    .argument('<spec>', 'experiment spec with a sweep')
    .option('--set <path=value>', 'override a setting of every trial (repeatable)', collect, [])
    .option('--backend <name>', 'sets runtime.backend of every trial')
    .option('--workers <n>', 'sets runtime.workers of every trial')
    .option('--out <dir>', 'family folder (default runs/<experiment>-sweep)')
    .option('--parallel <n>', 'trials trained at once on this machine', '1')
    .option('--retry-failed', 'train failed trials again (an invalid trial is never retried)')
    .option('--baseline <family>', "judge the family by the spec's `adopt if …` against this family (folder or results/ records) after each trial; no trial starts once the rule rejects. Repeatable: families that repeat one experiment with other seeds join as one baseline", collect, [])
    .option('--first <trial>', 'train this trial (its name, e.g. fold=4, or its number) before the others; repeatable, in order', collect, [])
    .option('--only <trial>', 'train this trial and no others (its name or number); repeatable, in order', collect, [])
    .option('--queue <url>', 'enqueue the trials on BullMQ at redis://HOST:PORT for `r2u worker` instead of training here')
    .option('--attempts <n>', 'with --queue: attempts of a failing trial', String(DEFAULT_TUNING.attempts))
    .option('--backoff <ms>', 'with --queue: delay before the first retry, doubled each time', String(DEFAULT_TUNING.backoffMs))
    .action(async (spec: string, flags: RunFlags) => {
      const sets = specSets(flags);
      const parallel = parseCount('--parallel', flags.parallel, 1);
      const plan = loadPlan(spec, sets);
      if (typeof plan === 'number') return void (process.exitCode = plan);
      const out = familyFolder(plan, flags.out);
      const trials = plan.trials.map(entryOf);
      if (flags.baseline.length > 0) await checkBaseline(flags.baseline, plan, flags.queue);
      if (flags.first.length > 0 && flags.queue !== undefined) throw new UsageError('--first orders the trials trained here; a queue hands them to whichever worker asks first');
      if (flags.only.length > 0 && flags.queue !== undefined) throw new UsageError('--only picks the trials trained here; a queue holds the whole family');
      if (flags.only.length > 0 && flags.first.length > 0) throw new UsageError('--only trains the trials it names, in the order named; --first has nothing left to order');
      const order = flags.only.length > 0 ? namedTrials(trials, flags.only, '--only') : trainingOrder(trials, flags.first);
      await writeFamily(out, resolve(spec), sets, { varying: plan.varying, adopt: plan.adopt, trials });
      if (flags.queue !== undefined) {
        const { enqueueFamily } = await import('../trial-queue.js');
        const tuning = { attempts: parseCount('--attempts', flags.attempts, 1), backoffMs: parseCount('--backoff', flags.backoff, 0) };
        const added = await enqueueFamily(flags.queue, out, { spec: resolve(spec), sets, varying: plan.varying, trials }, flags.retryFailed === true, tuning);
        process.stdout.write(`enqueued ${added} of ${trials.length} trials on ${flags.queue} (family ${shown(out)}); start workers with: r2u worker --queue ${flags.queue}\n`);
        process.exitCode = EXIT.ok;
        return;
      }
      process.exitCode = await runLocally(out, resolve(spec), sets, { varying: plan.varying, adopt: plan.adopt, trials }, { parallel, retryFailed: flags.retryFailed === true, baseline: flags.baseline, order });
    });
  sweep
    .command('status')
    .description("each trial's state in a family folder (with --queue, live progress from the queue)")
    .argument('<spec-or-dir>', 'the sweep spec (its family folder is found as sweep run finds it) or the family folder')
    .option('--out <dir>', 'with a spec: the family folder sweep run was given')
    .option('--queue <url>', 'also show what the queue holds')
    .action(async (target: string, opts: { queue?: string; out?: string }) => {
      let dir = target;
      if (statSync(target, { throwIfNoEntry: false })?.isFile()) {
        const plan = loadPlan(target, []);
        if (typeof plan === 'number') return void (process.exitCode = plan);
        dir = familyFolder(plan, opts.out);
      }
      const family = await readFamily(dir);
      if (!family) throw new UsageError(`${dir} holds no sweep.json`);
      const live = opts.queue === undefined ? undefined : await (await import('../trial-queue.js')).queueProgress(opts.queue, resolve(dir), family);
      const refreshed = await writeFamily(dir, family.spec, family.sets, family);
      process.stdout.write(renderTable(await summaryTable(dir, refreshed, live), 'text') + '\n');
      process.exitCode = EXIT.ok;
    });
  sweep
    .command('export')
    .description("copy a family's records (the plan; each finished trial's spec, metrics, backend and machine; no checkpoints) into a folder to commit, which r2u compare reads as it reads the family")
    .argument('<dir>', 'the family folder sweep run wrote')
    .argument('<dest>', 'the records folder, e.g. results/<family>; an earlier export of the same family is refreshed')
    .action(async (dir: string, dest: string) => {
      const { exportFamily } = await import('../sweep-family.js');
      const { finished, trials } = await exportFamily(resolve(dir), resolve(dest));
      process.stdout.write(`exported ${finished} of ${trials} trials (finished ones) to ${shown(resolve(dest))}; compare them with: r2u compare ${shown(resolve(dest))}\n`);
      process.exitCode = EXIT.ok;
    });
}

/** Where a sweep's trials live: --out, else runs/<experiment>-sweep. */
function familyFolder(plan: SweepPlan, out: string | undefined): string {
  return resolve(out ?? join('runs', `${plan.trials[0].config.name}-sweep`));
}

/** `, the sweep of parent.r2u` where the spec inherits its sweep. */
const inherited = (plan: SweepPlan): string => (plan.inherited ? `, the sweep of ${plan.statedIn}` : '');

/** The spec's sweep, or the exit code after printing why there is none. */
function loadPlan(spec: string, sets: readonly string[]): SweepPlan | number {
  const loaded = loadExperimentSync(spec, { sets });
  printDiagnostics(loaded.diagnostics);
  if (!loaded.config) return exitCodeFor(loaded.diagnostics);
  if (!loaded.sweep) {
    process.stderr.write(`${spec}: states no sweep { … }; train it with r2u train\n`);
    return EXIT.usage;
  }
  return loaded.sweep;
}

function planTable(varying: readonly string[], trials: readonly TrialEntry[]): Table {
  return {
    headers: ['#', 'id', ...varying],
    rows: trials.map((t) => [String(t.index), t.id, ...varying.map((p) => t.values[p] ?? '')]),
    right: new Set([0]),
  };
}

/** The plan's trials with those --first names (by name or number) moved to the front, in the order named. */
export function trainingOrder(trials: readonly TrialEntry[], first: readonly string[]): TrialEntry[] {
  return [...new Set([...namedTrials(trials, first, '--first'), ...trials])];
}

/** The trials a flag names (by name or number), in the order named, once each. */
function namedTrials(trials: readonly TrialEntry[], names: readonly string[], flag: string): TrialEntry[] {
  const named = names.map((name) => {
    const trial = trials.find((t) => t.alias === name || String(t.index) === name);
    if (trial === undefined) throw new UsageError(`${flag} ${name}: the plan has no such trial; its trials are ${trials.map((t) => t.alias).join(', ')}`);
    return trial;
  });
  return [...new Set(named)];
}

/**
 * What --baseline needs, checked before any trial trains: a rule to judge by
 * (the spec's sweep's, else the baseline family's, as `r2u compare` falls back
 * for a family whose sweep states none),
 * local training, and a baseline with finished runs.
 */
async function checkBaseline(baselines: readonly string[], plan: SweepPlan, queue: string | undefined): Promise<void> {
  const named = baselines.join(' --baseline ');
  const rule = plan.adopt ?? (await readFamily(baselines[0]))?.adopt;
  if (rule === undefined) throw new UsageError(`--baseline ${named}: neither the spec's sweep nor the baseline family states an 'adopt if …' rule to judge the family by`);
  if (queue !== undefined) throw new UsageError('--baseline judges trials trained here; with --queue, judge the family with r2u compare BASELINE FAMILY');
  // scored as the rule scores (at heldout, a baseline without per-image records is refused here, before training)
  const runs = await loadRuns(baselines, rule.at);
  if (!runs.some((r) => r.finished && r.scored)) throw new UsageError(`--baseline ${named}: no finished run to pair with`);
}

/** The baseline families as the log names them. */
const baselinesShown = (baselines: readonly string[]): string => baselines.map((b) => shown(resolve(b))).join(' + ');

/** r2u compare pairs two families from two pairs on: a mean of one change has no spread. */
const TOO_FEW_PAIRS = 'too few pairs';

/**
 * The family's verdict against the baseline family by the rule the family
 * states; TOO_FEW_PAIRS before two trials pair; null when the records cannot
 * be read (said on stderr: judging is advice, and training goes on).
 */
async function verdictAgainst(baselines: readonly string[], out: string): Promise<Verdict | typeof TOO_FEW_PAIRS | null> {
  try {
    return compareRuns(await loadRuns([...baselines, out])).paired.find((p) => p.verdict)?.verdict ?? TOO_FEW_PAIRS;
  } catch (err) {
    process.stderr.write(`cannot judge the family against ${baselinesShown(baselines)}: ${(err as Error).message}\n`);
    return null;
  }
}

interface LocalOptions {
  readonly parallel: number;
  readonly retryFailed: boolean;
  /** the families (seeds of one experiment) the rule judges against after each trial; none: no judging */
  readonly baseline: readonly string[];
  /** the trials to train, in order: the plan's, --first's, or only those --only names */
  readonly order: readonly TrialEntry[];
}

/**
 * Runs the trials here, `parallel` at a time; a failure is reported when it
 * happens and does not stop the others. A rejection by the rule (--baseline)
 * stops new trials from starting; those already training finish.
 */
async function runLocally(out: string, spec: string, sets: readonly string[], plan: Pick<SweepPlan, 'varying' | 'adopt'> & { trials: readonly TrialEntry[] }, opts: LocalOptions): Promise<number> {
  const { trials } = plan;
  const { parallel, retryFailed, baseline, order } = opts;
  const todo: TrialEntry[] = [];
  for (const t of order) {
    const state = await readState(out, t.alias);
    if (state.status === 'done') process.stdout.write(`skip ${t.alias}: finished\n`);
    else if ((state.status === 'failed' || state.status === 'invalid') && !retryFailed) process.stdout.write(`skip ${t.alias}: failed before (--retry-failed runs it again)\n`);
    else if (state.status === 'invalid') process.stdout.write(`skip ${t.alias}: invalid, never retried\n`);
    else todo.push(t);
  }
  let next = 0;
  let rejected: Verdict | null = null;
  const judge = async (afterTrial: boolean): Promise<void> => {
    if (baseline.length === 0) return;
    const verdict = await verdictAgainst(baseline, out);
    if (verdict === null) return;
    if (verdict === TOO_FEW_PAIRS) {
      // said after a trial, so that a log without a verdict does not look like a rule that never ran
      if (afterTrial) process.stdout.write(`verdict against ${baselinesShown(baseline)}: none yet; the rule judges from 2 pairs with the baseline on\n`);
      return;
    }
    process.stdout.write(`verdict against ${baselinesShown(baseline)} (adopt if ${verdict.rule}): ${verdict.decision.toUpperCase()}, ${verdict.reason}\n`);
    if (verdict.decision === 'reject') rejected = verdict;
  };
  await judge(false);
  const worker = async (): Promise<void> => {
    while (next < todo.length && rejected === null) {
      const t = todo[next++];
      process.stdout.write(`trial ${t.index}/${trials.length} ${t.alias}: training (log ${shown(trialLog(out, t.alias))})\n`);
      const state = await runTrial(out, spec, sets, t);
      if (state.status === 'done') process.stdout.write(`trial ${t.index}/${trials.length} ${t.alias}: done\n`);
      else process.stderr.write(`trial ${t.index}/${trials.length} ${t.alias}: ${state.status} (exit ${state.exitCode}): ${state.error ?? ''}; log ${shown(trialLog(out, t.alias))}\n`);
      await writeFamily(out, spec, sets, plan);
      if (state.status === 'done') await judge(true);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, Math.max(1, todo.length)) }, worker));
  const family = await writeFamily(out, spec, sets, plan);
  process.stdout.write(`\n${renderTable(await summaryTable(out, family), 'text')}\n`);
  const finished = family.trials.filter((t) => t.state.status === 'done').length;
  const failed = family.trials.filter((t) => t.state.status === 'failed' || t.state.status === 'invalid').length;
  process.stdout.write(`\n${finished} of ${family.trials.length} trials finished; compare them with: r2u compare ${shown(out)}\n`);
  const left = family.trials.length - finished - failed;
  const onlySome = order.length < trials.length;
  if (rejected !== null && left > 0) {
    process.stdout.write(`the rule rejects the family, so ${left === 1 ? '1 trial was' : `${left} trials were`} not started; the same command without --baseline trains them\n`);
  } else if (onlySome && left > 0) {
    process.stdout.write(`${left === 1 ? '1 trial was' : `${left} trials were`} not named by --only; the same command without --only trains ${left === 1 ? 'it' : 'them'}\n`);
  }
  const unfinished = order.some((t) => family.trials.find((f) => f.alias === t.alias)?.state.status !== 'done');
  return failed > 0 || (rejected === null && unfinished) ? EXIT.runtime : EXIT.ok;
}

/** One row per trial: its state, attempts, best monitored value and log. */
export async function summaryTable(out: string, family: FamilyFile, live?: ReadonlyMap<string, string>): Promise<Table> {
  const done = family.trials.some((t) => t.state.status === 'done') ? await loadRuns([out]).catch(() => []) : [];
  const comparison = done.length ? compareRuns(done) : undefined;
  const metric = COMPARED_METRICS[0];
  const rows = family.trials.map((t) => {
    const run = comparison?.runs.find((r) => r.name === t.alias);
    const value = run?.metrics[metric];
    const state = live?.get(t.id) ?? t.state.status;
    return [String(t.index), t.alias, state, String(t.state.attempts), value === null || value === undefined ? '' : value.toFixed(4), t.state.error ?? shown(trialLog(out, t.alias))];
  });
  return { headers: ['#', 'trial', 'state', 'attempts', metric, 'error or log'], rows, right: new Set([0, 3, 4]) };
}
