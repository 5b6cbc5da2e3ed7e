// Stage 2b: CST → AST. A separate pass from the parser (as in JHipster's JDL),
// tolerant of the partial trees that error recovery leaves behind, so that
// semantic checks still run on every statement that did parse.
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Atom, Block, CallArg, Comment, Phrase, SpecAst, Statement } from './ast.js';
import { error, type Diagnostic } from './diagnostics.js';
import { suggest } from './suggest.js';
import { joinSpans, type SourceFile, type Span } from './source.js';

type Children = Record<string, CstElement[] | undefined>;

const isToken = (e: CstElement): e is IToken => (e as IToken).image !== undefined;
const nodes = (c: Children, name: string): CstNode[] => (c[name] ?? []).filter((e): e is CstNode => !isToken(e));
const tokens = (c: Children, name: string): IToken[] => (c[name] ?? []).filter(isToken).filter((t) => !t.isInsertedInRecovery && Number.isFinite(t.startOffset));

export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly source: SourceFile) {}

  private tokenSpan(t: IToken): Span {
    return this.source.span(t.startOffset, t.image.length);
  }

  build(cst: CstNode, comments: IToken[]): SpecAst {
    const c = cst.children as Children;
    const ext = nodes(c, 'extendsClause')[0];
    const extString = ext ? tokens(ext.children as Children, 'StringLiteral')[0] : undefined;
    const exp = nodes(c, 'experiment')[0];
    const expChildren = (exp?.children ?? {}) as Children;
    const nameToken = tokens(expChildren, 'Identifier')[0];
    const misspelled = tokens(expChildren, 'misspelledKeyword')[0];
    if (misspelled) {
      this.diagnostics.push(
        error('syntax', `unexpected '${misspelled.image}' at the start of the spec`, this.tokenSpan(misspelled), {
          expected: "'experiment' (or 'extends \"file.r2u\"' before it)",
          suggestion: suggest(misspelled.image, ['experiment', 'extends']),
        }),
      );
    }
    const blockNode = nodes(expChildren, 'block')[0];
    const body = blockNode ? this.block(blockNode) : undefined;
    const ast: SpecAst = {
      file: this.source.path,
      extends: extString ? { path: unquote(extString.image), span: this.tokenSpan(extString) } : undefined,
      name: nameToken ? { text: nameToken.image, span: this.tokenSpan(nameToken) } : undefined,
      body,
      header: [],
      preamble: [],
      footer: [],
    };
    attachComments(ast, comments.map((t) => this.comment(t)));
    return ast;
  }

  private comment(t: IToken): Comment {
    return { text: t.image, span: this.tokenSpan(t), endLine: t.endLine ?? t.startLine ?? 1 };
  }

  private block(node: CstNode): Block {
    const c = node.children as Children;
    const open = tokens(c, 'LCurly')[0];
    const close = tokens(c, 'RCurly')[0];
    const statements = nodes(c, 'statement')
      .map((s) => this.statement(s))
      .filter((s): s is Statement => s !== undefined);
    const start = open ? open.startOffset : (statements[0]?.span.offset ?? 0);
    const end = close ? close.startOffset + 1 : (statements.at(-1) ? statements.at(-1)!.span.offset + statements.at(-1)!.span.length : start);
    return { statements, span: this.source.span(start, end - start), dangling: [] };
  }

  private statement(node: CstNode): Statement | undefined {
    const c = node.children as Children;
    const key = tokens(c, 'key')[0];
    if (!key) return undefined;
    const argsNode = nodes(c, 'arguments')[0];
    const args = argsNode ? this.arguments(argsNode) : [];
    const blockNode = nodes(c, 'block')[0];
    const block = blockNode ? this.block(blockNode) : undefined;
    const keySpan = this.tokenSpan(key);
    const last = block?.span ?? args.at(-1)?.span ?? keySpan;
    const span = joinSpans(keySpan, last);
    return {
      key: { text: key.image, span: keySpan },
      args,
      block,
      span,
      endLine: this.source.position(Math.max(span.offset, span.offset + span.length - 1)).line,
      leading: [],
      trailing: [],
      blankBefore: false,
    };
  }

  /** The phrases of an `arguments` node: a statement's values, or a `--set` value. */
  arguments(node: CstNode): Phrase[] {
    return nodes(node.children as Children, 'phrase')
      .map((p) => this.phrase(p))
      .filter((p) => p.atoms.length > 0);
  }

  private phrase(node: CstNode): Phrase {
    const atoms = nodes(node.children as Children, 'atom')
      .map((a) => this.atom(a))
      .filter((a): a is Atom => a !== undefined);
    const span = atoms.length ? joinSpans(atoms[0].span, atoms.at(-1)!.span) : this.source.span(0, 0);
    return { atoms, span };
  }

  private atom(node: CstNode): Atom | undefined {
    const c = node.children as Children;
    const num = tokens(c, 'NumberLiteral')[0];
    if (num) return { kind: 'number', text: num.image, value: Number(num.image), span: this.tokenSpan(num) };
    const dims = tokens(c, 'DimsLiteral')[0];
    if (dims) {
      const [h, w] = dims.image.split(/[x×]/).map((s) => Number(s.trim()));
      return { kind: 'dims', text: `${h} x ${w}`, value: [h, w], span: this.tokenSpan(dims) };
    }
    const str = tokens(c, 'StringLiteral')[0];
    if (str) {
      if (str.image.startsWith("'")) {
        this.diagnostics.push(error('lex', 'strings are written in double quotes', this.tokenSpan(str), { suggestion: `"${str.image.slice(1, -1)}"` }));
      }
      return { kind: 'string', text: str.image, value: unquote(str.image), span: this.tokenSpan(str) };
    }
    const ident = tokens(c, 'Identifier')[0];
    if (ident) return { kind: 'ident', text: ident.image, span: this.tokenSpan(ident) };
    const call = nodes(c, 'call')[0];
    if (call) return this.call(call);
    return undefined;
  }

  private call(node: CstNode): Atom | undefined {
    const c = node.children as Children;
    const name = tokens(c, 'name')[0];
    if (!name) return undefined;
    const close = tokens(c, 'RParen')[0];
    const args: CallArg[] = nodes(c, 'callArg').map((a) => {
      const ac = a.children as Children;
      const argName = tokens(ac, 'name')[0];
      const atoms = nodes(ac, 'atom')
        .map((x) => this.atom(x))
        .filter((x): x is Atom => x !== undefined);
      const first = argName ? this.tokenSpan(argName) : atoms[0]?.span;
      const span = first ? joinSpans(first, atoms.at(-1)?.span ?? first) : this.tokenSpan(name);
      return { name: argName ? { text: argName.image, span: this.tokenSpan(argName) } : undefined, atoms, span };
    });
    const nameSpan = this.tokenSpan(name);
    const span = close ? joinSpans(nameSpan, this.tokenSpan(close)) : nameSpan;
    return { kind: 'call', name: name.image, nameSpan, args, span };
  }
}

export function unquote(image: string): string {
  return image.slice(1, -1).replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch === 't' ? '\t' : ch));
}

/**
 * Gives each comment to the statement it belongs to: a comment on the line of a
 * statement's end trails it; one on its own line leads the next statement of
 * its block, or dangles before the block's `}`.
 */
function attachComments(ast: SpecAst, comments: Comment[]): void {
  const header = ast.header as Comment[];
  const footer = ast.footer as Comment[];
  const bodyStart = ast.body?.span.offset ?? Infinity;
  const bodyEnd = ast.body ? ast.body.span.offset + ast.body.span.length : Infinity;
  for (const c of comments) {
    if (!ast.body) {
      header.push(c);
      continue;
    }
    if (c.span.offset < bodyStart) (ast.extends && c.span.offset > ast.extends.span.offset ? (ast.preamble as Comment[]) : header).push(c);
    else if (c.span.offset >= bodyEnd) footer.push(c);
    else attachInBlock(ast.body, c);
  }
  if (ast.body) markBlankLines(ast.body, ast.body.span.line);
}

function attachInBlock(block: Block, c: Comment): void {
  const list = block.statements;
  // binary search: the first statement that starts after the comment
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].span.offset <= c.span.offset) lo = mid + 1;
    else hi = mid;
  }
  const prev = list[lo - 1];
  if (prev) {
    const inner = prev.block?.span;
    if (inner && c.span.offset > inner.offset && c.span.offset < inner.offset + inner.length) return attachInBlock(prev.block!, c);
    if (c.span.offset < prev.span.offset + prev.span.length || c.span.line === prev.endLine) {
      prev.trailing.push(c);
      return;
    }
  }
  if (list[lo]) list[lo].leading.push(c);
  else (block.dangling as Comment[]).push(c);
}

/** Records where the author left blank lines, which the formatter keeps (collapsed to one). */
function markBlankLines(block: Block, openLine: number): void {
  let previousEnd = openLine;
  for (const s of block.statements) {
    const firstLine = s.leading[0]?.span.line ?? s.span.line;
    s.blankBefore = firstLine > previousEnd + 1 && previousEnd !== openLine;
    previousEnd = s.trailing.reduce((m, c) => Math.max(m, c.endLine), s.endLine);
    if (s.block) markBlankLines(s.block, s.block.span.line);
  }
}
