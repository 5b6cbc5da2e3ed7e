// Hover: what the word under the cursor means (statement, value, variant or
// argument, from the statement table), and for a statement the value it
// resolves to and where that value came from.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Hover } from 'vscode-languageserver';
import type { Atom } from '../compiler/index.js';
import type { Analysis } from './analysis.js';
import { originText } from './origins.js';
import { rangeIn } from './positions.js';
import { bodyOf, joinPath, spanContains, statementAt, type PlacedStatement } from './spec-tree.js';
import { paramDoc, showValue, statementDoc, valueAt, valueDoc, variantDoc } from './statement-docs.js';

export function hover(doc: TextDocument, analysis: Analysis, offset: number): Hover | null {
  const ast = analysis.loaded.ast;
  if (!ast) return null;
  if (ast.extends && spanContains(ast.extends.span, offset)) {
    const parent = analysis.parents[0];
    return { contents: { kind: 'markdown', value: parent ? `Extends \`${parent}\`` : `Extends \`${ast.extends.path}\` (not found)` }, range: rangeIn(doc, ast.extends.span) };
  }
  const placed = statementAt(ast, offset);
  if (!placed?.def) return null;
  const { statement, def } = placed;
  const markdown = (value: string | undefined, span: { offset: number; length: number }): Hover | null =>
    value ? { contents: { kind: 'markdown', value }, range: rangeIn(doc, span) } : null;

  if (spanContains(statement.key.span, offset)) return markdown(statementDoc(statement.key.text, def, placed.path) + '\n\n' + resolvedText(analysis, placed), statement.key.span);
  const atom = statement.args.flatMap((p) => p.atoms).find((a) => spanContains(a.span, offset));
  if (!atom) return null;
  if (atom.kind === 'call') {
    if (spanContains(atom.nameSpan, offset)) return markdown(variantDoc(statement.key.text, atom.name, def), atom.nameSpan);
    const arg = atom.args.find((a) => spanContains(a.span, offset) || (a.name && spanContains(a.name.span, offset)));
    if (arg?.name) return markdown(paramDoc(atom.name, arg.name.text, def), arg.name.span);
    return null;
  }
  if (atom.kind === 'ident') return markdown(identDoc(placed, atom), atom.span);
  return null;
}

/** An identifier among a statement's values: an enum value, a variant name or a phrase word. */
function identDoc(placed: PlacedStatement, atom: Extract<Atom, { kind: 'ident' }>): string | undefined {
  const def = placed.def!;
  switch (def.form) {
    case 'value':
    case 'list':
    case 'namedBlock':
      return valueDoc(def.type, atom.text);
    case 'variant':
      return variantDoc(placed.statement.key.text, atom.text, def);
    case 'phrases':
      for (const p of def.phrases) for (const it of p.items) if (typeof it !== 'string' && valueDoc(it.type, atom.text)) return valueDoc(it.type, atom.text);
      return def.phrases.some((p) => p.items.includes(atom.text)) ? `\`${atom.text}\` — a word of \`${placed.statement.key.text}\`: ${def.doc}` : undefined;
    default:
      return undefined;
  }
}

/** The resolved value and its origin; for a block, each of its settings. */
function resolvedText(analysis: Analysis, placed: PlacedStatement): string {
  const config = analysis.loaded.config;
  const body = bodyOf(placed.def);
  if (!config) return '_The resolved value is shown when the spec has no errors._';
  if (body && placed.def!.form !== 'ops') {
    const settings: [string, string][] = Object.entries(body).map(([key, def]) => [key, joinPath(placed.path, def.target)]);
    // `model r2unet { … }`: the name is a setting too
    if (placed.def!.form === 'namedBlock') settings.unshift([placed.def!.field, joinPath(placed.path, placed.def!.field)]);
    const rows = settings.map(([key, path]) => `| \`${key}\` | \`${showValue(valueAt(config, path))}\` | ${originText(analysis, path)} |`);
    return ['**Resolved:**', '', '| setting | value | from |', '|---|---|---|', ...rows].join('\n');
  }
  return `**Resolved:** \`${showValue(valueAt(config, placed.path))}\` — ${originText(analysis, placed.path)}`;
}
