// `adopt if …` in a sweep: the rule by which the family replaces the baseline
// it is paired with, stated in the spec before any trial trains, so that the
// decision is reviewed as text with the candidate and cannot drift after the
// figures are in. `r2u compare BASELINE CANDIDATE` judges it on the paired
// runs (the same seeds and folds):
//
//   adopt if mean dice above 0, mean auc above 0, dice better in 4 of 5
//
// A clause is `mean METRIC above X` / `mean METRIC below X` (the mean paired
// change) or `METRIC better in N of M` (at least N of the M pairs better; the
// loss is better lower). METRIC is one of the metrics `r2u compare` reports.
// One clause may say which epoch of each run the rule judges, `scored at
// heldout` (or model, best, last); without it the rule judges each run's model.
import type { Phrase } from './ast.js';
import { error, type Diagnostic } from './diagnostics.js';
import { parseArguments } from './parse.js';
import { joinSpans, SourceFile, type Span } from './source.js';
import { suggest } from './suggest.js';
import { COMPARED_NAMES, EPOCH_CHOICES, isValueOf, valuesOf, type EpochChoice } from '../spec/vocabulary.js';

export const ADOPT_FORM = 'adopt if [scored at EPOCH,] mean METRIC above X, METRIC better in N of M, …';

/** The metrics a rule may name: those `r2u compare` pairs. */
export const RULE_METRICS = COMPARED_NAMES;

/** The rule's own words, for highlighting (the TextMate grammar). */
export const RULE_WORDS = ['if', 'mean', 'above', 'below', 'better', 'in', 'of', 'scored', 'at', ...valuesOf(EPOCH_CHOICES)] as const;

export type AdoptionClause =
  | { readonly kind: 'mean'; readonly metric: string; readonly op: 'above' | 'below'; readonly value: number; readonly text: string }
  | { readonly kind: 'better'; readonly metric: string; readonly atLeast: number; readonly of: number; readonly text: string };

export interface AdoptionRule {
  /** the clauses as written, joined by ', ' */
  readonly text: string;
  readonly clauses: readonly AdoptionClause[];
  /** which epoch of each run the rule judges (`scored at …`); absent: each run's model */
  readonly at?: EpochChoice;
}

/**
 * Reads the phrases after `adopt` (the first starts with `if`); each
 * comma-separated phrase is one clause.
 */
export function readAdoptStatement(phrases: readonly Phrase[], keySpan: Span): { rule?: AdoptionRule; diagnostics: Diagnostic[] } {
  const [first] = phrases;
  const head = first?.atoms[0];
  if (!head || head.kind !== 'ident' || head.text !== 'if') {
    return { diagnostics: [error('missing', "'adopt' is followed by 'if' and its clauses", head?.span ?? keySpan, { expected: ADOPT_FORM })] };
  }
  const rest = first.atoms.slice(1);
  const clauses = rest.length ? [{ atoms: rest, span: joinSpans(rest[0].span, rest.at(-1)!.span) }, ...phrases.slice(1)] : phrases.slice(1);
  return readClauses(clauses, head.span);
}

/** A rule given on the command line (`r2u compare --adopt-if "…"`): its clauses, with diagnostics at `source`. */
export function parseAdoptionRule(text: string, source: string): { rule?: AdoptionRule; diagnostics: Diagnostic[] } {
  const file = new SourceFile(source, text);
  const parsed = parseArguments(file, 0);
  if (parsed.diagnostics.length) return { diagnostics: parsed.diagnostics };
  return readClauses(parsed.phrases, file.span(0, Math.max(1, text.length)));
}

function readClauses(phrases: readonly Phrase[], span: Span): { rule?: AdoptionRule; diagnostics: Diagnostic[] } {
  if (phrases.length === 0) return { diagnostics: [error('missing', 'the adoption rule states no clause', span, { expected: ADOPT_FORM })] };
  const diagnostics: Diagnostic[] = [];
  const scoring = phrases.filter(isScoredAt);
  for (const extra of scoring.slice(1)) diagnostics.push(error('bad-value', "the adoption rule says 'scored at' once", extra.span, { expected: 'one scored at EPOCH clause' }));
  const at = scoring.length ? readScoredAt(scoring[0], diagnostics) : undefined;
  const clauses = phrases.filter((p) => !isScoredAt(p)).map((p) => readClause(p, diagnostics)).filter((c) => c !== undefined);
  if (clauses.length === 0 && diagnostics.length === 0) diagnostics.push(error('missing', 'the adoption rule states which epoch it scores but no clause on the metrics', span, { expected: ADOPT_FORM }));
  if (diagnostics.length) return { diagnostics };
  const text = [...(at ? [`scored at ${at}`] : []), ...clauses.map((c) => c.text)].join(', ');
  return { rule: { text, clauses, ...(at && { at }) }, diagnostics };
}

const isScoredAt = (phrase: Phrase): boolean => phrase.atoms[0]?.kind === 'ident' && phrase.atoms[0].text === 'scored';

/** `scored at EPOCH`: which epoch of each run the rule judges. */
function readScoredAt(phrase: Phrase, diagnostics: Diagnostic[]): EpochChoice | undefined {
  const [, at, choice] = phrase.atoms;
  const choices = valuesOf(EPOCH_CHOICES);
  if (phrase.atoms.length !== 3 || at.kind !== 'ident' || at.text !== 'at' || choice.kind !== 'ident') {
    diagnostics.push(error('bad-value', `'scored at EPOCH' names one of ${choices.join(', ')}`, phrase.span, { expected: 'e.g. scored at heldout' }));
    return undefined;
  }
  if (isValueOf(EPOCH_CHOICES, choice.text)) return choice.text;
  diagnostics.push(error('unknown-value', `unknown epoch choice '${choice.text}' in the adoption rule`, choice.span, { expected: `one of ${choices.join(', ')}`, suggestion: suggest(choice.text, choices) }));
  return undefined;
}

function readClause(phrase: Phrase, diagnostics: Diagnostic[]): AdoptionClause | undefined {
  const words = phrase.atoms.map((a) => (a.kind === 'ident' ? a.text : a.kind === 'number' ? a.value : undefined));
  const shape = phrase.atoms.map((a) => a.kind).join(' ');
  const metricAt = (i: number): string | undefined => {
    const atom = phrase.atoms[i];
    const name = String(words[i]);
    if (RULE_METRICS.includes(name)) return name;
    diagnostics.push(error('unknown-value', `unknown metric '${name}' in the adoption rule`, atom.span, { expected: `one of ${RULE_METRICS.join(', ')}`, suggestion: suggest(name, RULE_METRICS) }));
    return undefined;
  };
  if (shape === 'ident ident ident number' && words[0] === 'mean' && (words[2] === 'above' || words[2] === 'below')) {
    const metric = metricAt(1);
    const value = words[3] as number;
    return metric === undefined ? undefined : { kind: 'mean', metric, op: words[2], value, text: `mean ${metric} ${words[2]} ${value}` };
  }
  if (shape === 'ident ident ident number ident number' && words[1] === 'better' && words[2] === 'in' && words[4] === 'of') {
    const metric = metricAt(0);
    const [atLeast, of] = [words[3] as number, words[5] as number];
    if (!Number.isInteger(of) || of < 1 || !Number.isInteger(atLeast) || atLeast < 1 || atLeast > of) {
      diagnostics.push(error('bad-value', `'better in N of M' needs whole numbers with 1 ≤ N ≤ M, not ${atLeast} of ${of}`, phrase.span, { expected: 'e.g. dice better in 4 of 5' }));
      return undefined;
    }
    return metric === undefined ? undefined : { kind: 'better', metric, atLeast, of, text: `${metric} better in ${atLeast} of ${of}` };
  }
  diagnostics.push(error('bad-value', 'a clause of the adoption rule is `mean METRIC above X`, `mean METRIC below X` or `METRIC better in N of M`', phrase.span, { expected: 'e.g. mean dice above 0, dice better in 4 of 5' }));
  return undefined;
}

/**
 * What may come next in a clause whose words so far are `words` (for
 * completion): metrics, or the rule's own words; nothing where a number goes.
 */
export function nextClauseWords(words: readonly string[]): readonly string[] {
  const [first, second, third] = words;
  switch (words.length) {
    case 0:
      return ['mean', ...RULE_METRICS, 'scored'];
    case 1:
      return first === 'mean' ? RULE_METRICS : RULE_METRICS.includes(first) ? ['better'] : first === 'scored' ? ['at'] : [];
    case 2:
      return first === 'mean' ? ['above', 'below'] : second === 'better' ? ['in'] : first === 'scored' ? valuesOf(EPOCH_CHOICES) : [];
    case 4:
      return second === 'better' && third === 'in' ? ['of'] : [];
    default:
      return [];
  }
}
