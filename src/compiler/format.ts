// `r2u fmt`: one canonical layout for every spec. Two-space indentation, one
// statement per line, `, ` between phrases, sizes as `H x W`, at most one
// blank line where the author left any, and every comment kept in place.
// Numbers keep their spelling (1e-3 stays 1e-3). Idempotent by construction:
// the output parses to the same tree, which prints the same way.
import type { Atom, Block, Comment, Phrase, SpecAst, Statement } from './ast.js';
import { hasErrors, type Diagnostic } from './diagnostics.js';
import { parseSource } from './parse.js';
import type { SourceFile } from './source.js';

const INDENT = '  ';

export function formatSource(source: SourceFile): { text?: string; diagnostics: Diagnostic[] } {
  const { ast, diagnostics } = parseSource(source);
  if (hasErrors(diagnostics)) return { diagnostics };
  return { text: printSpec(ast), diagnostics };
}

export function printSpec(ast: SpecAst): string {
  const out: string[] = [];
  for (const c of ast.header) out.push(...commentLines(c, ''));
  if (ast.extends) {
    out.push(`extends ${JSON.stringify(ast.extends.path)}`, '');
  }
  for (const c of ast.preamble) out.push(...commentLines(c, ''));
  out.push(`experiment ${ast.name?.text ?? 'experiment'} ${printBlock(ast.body ?? { statements: [], span: undefined as never, dangling: [] }, '')}`);
  for (const c of ast.footer) out.push(...commentLines(c, ''));
  return out.join('\n') + '\n';
}

function printBlock(block: Block, indent: string): string {
  if (!block.statements.length && !block.dangling.length) return '{}';
  const inner = indent + INDENT;
  const lines: string[] = ['{'];
  block.statements.forEach((s, i) => {
    if (i > 0 && s.blankBefore) lines.push('');
    lines.push(...printStatement(s, inner));
  });
  for (const c of block.dangling) lines.push(...commentLines(c, inner));
  lines.push(`${indent}}`);
  return lines.join('\n');
}

function printStatement(s: Statement, indent: string): string[] {
  const lines: string[] = [];
  for (const c of s.leading) lines.push(...commentLines(c, indent));
  let head = indent + s.key.text;
  if (s.args.length) head += ' ' + s.args.map(printPhrase).join(', ');
  if (s.block) head += ' ' + printBlock(s.block, indent);
  const trailing = s.trailing.map((c) => c.text.trim()).join(' ');
  if (trailing) {
    const blockLines = head.split('\n');
    blockLines[blockLines.length - 1] += `  ${trailing}`;
    head = blockLines.join('\n');
  }
  lines.push(head);
  return lines;
}

function printPhrase(p: Phrase): string {
  return p.atoms.map(printAtom).join(' ');
}

function printAtom(a: Atom): string {
  switch (a.kind) {
    case 'call':
      return `${a.name}(${a.args.map((arg) => (arg.name ? `${arg.name.text}: ` : '') + arg.atoms.map(printAtom).join(' ')).join(', ')})`;
    case 'dims':
      return `${a.value[0]} x ${a.value[1]}`;
    default:
      return a.text;
  }
}

function commentLines(c: Comment, indent: string): string[] {
  if (c.text.startsWith('//')) return [indent + c.text.trimEnd()];
  // block comments keep their inner layout; only the first line is re-indented
  return (indent + c.text).split(/\r?\n/).map((l) => l.trimEnd());
}
