// Prints a Chevrotain grammar as EBNF for grammar/REFERENCE.md, so the
// reference shows the parser's own grammar: the rules come from its serialised
// productions (the data behind the railroad diagrams), the tokens from the
// lexer's patterns. Chevrotain prints diagrams but no EBNF, hence this file.
// Notation: `::=`, `|`, `?`, `*`, `+`, `( … )`; quoted literals; tokens in
// capitals, with the CST label a rule gives a token written `label=TOKEN`.
import type { ISerializedGast, TokenType } from 'chevrotain';

/** The fields of Chevrotain's serialised productions that the printer reads. */
interface Production extends ISerializedGast {
  name?: string; // a rule, a rule reference or a token
  label?: string; // a token's label, e.g. "'{'" or "identifier"
  terminalLabel?: string; // the CST label the rule gives the token
  separator?: Production;
  definition?: Production[];
}

/** IDENTIFIER for Identifier, DIMS for DimsLiteral, LINE_COMMENT for LineComment. */
const tokenName = (name: string) =>
  name
    .replace(/Literal$/, '')
    .replace(/(?<=[a-z])(?=[A-Z])/g, '_')
    .toUpperCase();

/** Punctuation and keywords are labelled with their text in quotes; they need no definition. */
const isLiteral = (label: string | undefined) => label !== undefined && /^'.+'$/.test(label);

function terminal(p: Production): string {
  const text = isLiteral(p.label) ? p.label! : tokenName(p.name!);
  return p.terminalLabel ? `${p.terminalLabel}=${text}` : text;
}

const sequence = (items: Production[] = []) => items.map(expression).join(' ');

/** `x*` for a single token or rule, `( x y )*` for more. */
function repeated(items: Production[] = [], suffix: string): string {
  const one = items.length === 1 && ['Terminal', 'NonTerminal', 'Alternation'].includes(items[0].type);
  return one ? `${expression(items[0])}${suffix}` : `( ${sequence(items)} )${suffix}`;
}

const alternatives = (p: Production) => (p.definition ?? []).map(expression).join(' | ');

function expression(p: Production): string {
  switch (p.type) {
    case 'Terminal':
      return terminal(p);
    case 'NonTerminal':
      return p.name!;
    case 'Alternative':
      return sequence(p.definition);
    case 'Alternation':
      return `( ${alternatives(p)} )`;
    case 'Option':
      return repeated(p.definition, '?');
    case 'Repetition':
      return repeated(p.definition, '*');
    case 'RepetitionMandatory':
      return repeated(p.definition, '+');
    case 'RepetitionWithSeparator':
      return `( ${sequence(p.definition)} ( ${terminal(p.separator!)} ${sequence(p.definition)} )* )?`;
    case 'RepetitionMandatoryWithSeparator':
      return `${sequence(p.definition)} ( ${terminal(p.separator!)} ${sequence(p.definition)} )*`;
    default:
      throw new Error(`no EBNF for a ${p.type} production`);
  }
}

/** A rule that is one alternation reads best without its parentheses. */
function ruleBody(rule: Production): string {
  const [only, ...rest] = rule.definition ?? [];
  return only?.type === 'Alternation' && rest.length === 0 ? alternatives(only) : sequence(rule.definition);
}

function tokensUsed(p: Production, into: Set<string>): Set<string> {
  if (p.type === 'Terminal') into.add(p.name!);
  if (p.separator) tokensUsed(p.separator, into);
  for (const child of p.definition ?? []) tokensUsed(child, into);
  return into;
}

/**
 * The grammar's rules in the order the parser defines them, then each token
 * that is not a literal, as its lexer pattern; last the tokens that the parser
 * never sees (white space, comments), which may stand between any two tokens.
 */
export function grammarToEbnf(rules: ISerializedGast[], tokens: readonly TokenType[]): string {
  const productions = rules as Production[];
  const used = new Set<string>();
  for (const rule of productions) tokensUsed(rule, used);
  const defined = tokens.filter((t) => !isLiteral(t.LABEL));
  const pattern = (t: TokenType) => `/${t.PATTERN instanceof RegExp ? t.PATTERN.source : String(t.PATTERN)}/`;
  const rows: Array<[string, string] | string> = [
    ...productions.map((rule): [string, string] => [rule.name!, ruleBody(rule)]),
    '',
    ...defined.filter((t) => used.has(t.name)).map((t): [string, string] => [tokenName(t.name), pattern(t)]),
    '',
    '(* between any two tokens *)',
    ...defined.filter((t) => !used.has(t.name)).map((t): [string, string] => [tokenName(t.name), pattern(t)]),
  ];
  const width = Math.max(...rows.map((row) => (typeof row === 'string' ? 0 : row[0].length)));
  return rows.map((row) => (typeof row === 'string' ? row : `${row[0].padEnd(width)} ::= ${row[1]}`)).join('\n');
}
