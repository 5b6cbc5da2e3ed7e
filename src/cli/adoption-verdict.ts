// The verdict of an adoption rule (`adopt if …`, compiler/adoption.ts) on a
// paired comparison: each clause measured on the pairs there are, then adopt,
// reject, or undecided while pairs are missing. A `better in N of M` clause
// rejects early, once more than M − N pairs are not better: no later pair can
// save it. A mean is judged only when every pair is in. A rule that says which
// epoch it scores (`scored at heldout`) decides nothing on runs scored at
// another.
import type { AdoptionRule } from '../compiler/index.js';
import type { EpochChoice } from '../spec/vocabulary.js';
import { signedFixed as signed } from './table.js';

/** The paired change of one metric, as `r2u compare` measures it (candidate minus baseline, per pair). */
export interface PairedMetric {
  readonly mean: number;
  /** pairs in which the candidate is better (higher, or lower for the loss) */
  readonly better: number;
}

/** a clause on the pairs there are: decided (true, false), or what it says until the last pair ('so far', 'not so far'), or not applicable */
export type Holds = boolean | 'so far' | 'not so far' | 'cannot';

export interface Verdict {
  /** the rule as written */
  readonly rule: string;
  /** where the rule was stated: a family's sweep.json, or --adopt-if */
  readonly from: string;
  readonly decision: 'adopt' | 'reject' | 'undecided';
  /** why, in one line */
  readonly reason: string;
  readonly clauses: ReadonlyArray<{ readonly text: string; readonly measured: string; readonly holds: Holds }>;
}

/**
 * Judges `rule` on `pairs` pairs out of the `expected` a complete comparison
 * has (the baseline group's runs, or more when a clause counts more), scored
 * at `at`. `metric(name)` is the paired change of a metric named as the rule names it.
 */
export function judge(rule: AdoptionRule, from: string, pairs: number, baselineRuns: number, metric: (name: string) => PairedMetric, at: EpochChoice): Verdict {
  const counted = rule.clauses.flatMap((c) => (c.kind === 'better' ? [c.of] : []));
  const expected = Math.max(baselineRuns, ...counted);
  const complete = pairs >= expected;
  const clauses = rule.clauses.map((c): Verdict['clauses'][number] => {
    const m = metric(c.metric);
    if (c.kind === 'mean') {
      const holds = c.op === 'above' ? m.mean > c.value : m.mean < c.value;
      return { text: c.text, measured: `${signed(m.mean)} over ${pairs} pairs`, holds: complete ? holds : holds ? 'so far' : 'not so far' };
    }
    const notBetter = pairs - m.better;
    const measured = `${m.better} of ${pairs}`;
    if (pairs > c.of) return { text: c.text, measured, holds: 'cannot' };
    if (notBetter > c.of - c.atLeast) return { text: c.text, measured, holds: false };
    return { text: c.text, measured, holds: m.better >= c.atLeast ? true : complete ? false : 'not so far' };
  });
  const scoredAt = rule.at === undefined ? [] : [{ text: `scored at ${rule.at}`, measured: `scored at ${at}`, holds: rule.at === at ? true : ('cannot' as const) }];
  const base = { rule: rule.text, from, clauses: [...scoredAt, ...clauses] };
  if (rule.at !== undefined && rule.at !== at) return { ...base, decision: 'undecided', reason: `the rule scores each run at ${rule.at}, and these runs are scored at ${at} (r2u compare --at ${rule.at}, its default for this rule)` };
  const cannot = clauses.find((c) => c.holds === 'cannot');
  if (cannot) return { ...base, decision: 'undecided', reason: `'${cannot.text}' counts fewer pairs than the ${pairs} compared` };
  const failed = clauses.find((c) => c.holds === false);
  if (failed) {
    const early = !complete ? ` (with ${pairs} of ${expected} pairs in: no later pair can change it)` : '';
    return { ...base, decision: 'reject', reason: `'${failed.text}' fails: ${failed.measured}${early}` };
  }
  if (!complete) return { ...base, decision: 'undecided', reason: `${pairs} of ${expected} pairs in` };
  return { ...base, decision: 'adopt', reason: `every clause holds on the ${pairs} pairs` };
}
