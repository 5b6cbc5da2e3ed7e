// The outline (experiment, blocks, statements) and folding ranges (blocks and
// multi-line comments), from the syntax tree of the last analysis.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { FoldingRangeKind, SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver';
import type { Block, Comment, SpecAst, Statement } from '../compiler/index.js';
import { rangeIn } from './positions.js';

function statementSymbol(doc: TextDocument, s: Statement): DocumentSymbol {
  const detail = s.args.map((p) => p.atoms.map((a) => (a.kind === 'call' ? `${a.name}(…)` : a.text)).join(' ')).join(', ');
  return {
    name: s.key.text,
    detail,
    kind: s.block ? SymbolKind.Namespace : SymbolKind.Property,
    range: rangeIn(doc, s.span),
    selectionRange: rangeIn(doc, s.key.span),
    children: s.block ? s.block.statements.map((c) => statementSymbol(doc, c)) : undefined,
  };
}

export function documentSymbols(doc: TextDocument, ast: SpecAst | undefined): DocumentSymbol[] {
  if (!ast?.body) return [];
  const name = ast.name ?? { text: 'experiment', span: ast.body.span };
  const whole = { offset: name.span.offset, length: ast.body.span.offset + ast.body.span.length - name.span.offset };
  return [
    {
      name: name.text,
      detail: ast.extends ? `extends ${ast.extends.path}` : 'experiment',
      kind: SymbolKind.Module,
      range: rangeIn(doc, whole),
      selectionRange: rangeIn(doc, name.span),
      children: ast.body.statements.map((s) => statementSymbol(doc, s)),
    },
  ];
}

export function foldingRanges(doc: TextDocument, ast: SpecAst | undefined): FoldingRange[] {
  if (!ast) return [];
  const out: FoldingRange[] = [];
  // comments on lines of their own; a run of them on consecutive lines folds as one
  const ownLine: Comment[] = [];
  const comment = (c: Comment) => ownLine.push(c);
  const block = (b: Block) => {
    // fold up to the line before the closing brace, so `}` stays visible
    const start = b.span.line - 1;
    const close = doc.positionAt(b.span.offset + Math.max(0, b.span.length - 1)).line;
    if (close - 1 > start) out.push({ startLine: start, endLine: close - 1 });
    for (const s of b.statements) {
      s.leading.forEach(comment);
      if (s.block) block(s.block);
    }
    b.dangling.forEach(comment);
  };
  [...ast.header, ...ast.preamble, ...ast.footer].forEach(comment);
  if (ast.body) block(ast.body);
  ownLine.sort((a, b) => a.span.offset - b.span.offset);
  for (let i = 0; i < ownLine.length; ) {
    let j = i;
    while (j + 1 < ownLine.length && ownLine[j + 1].span.line === ownLine[j].endLine + 1) j++;
    if (ownLine[j].endLine > ownLine[i].span.line) out.push({ startLine: ownLine[i].span.line - 1, endLine: ownLine[j].endLine - 1, kind: FoldingRangeKind.Comment });
    i = j + 1;
  }
  return out;
}
