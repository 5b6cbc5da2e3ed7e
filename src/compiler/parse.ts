// Stages 1–2 together: text → tokens → CST → AST, with every lexing and syntax
// error turned into a located diagnostic.
import { EOF, type ILexingError, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import type { Phrase, SpecAst } from './ast.js';
import { AstBuilder } from './ast-builder.js';
import { error, type Diagnostic } from './diagnostics.js';
import { Experiment, Extends, Newline, Semicolon, specLexer } from './lexer.js';
import { expectedTokens, specParser } from './parser.js';
import type { SourceFile, Span } from './source.js';
import { suggest } from './suggest.js';

const KEYWORDS: TokenType[] = [Experiment, Extends];

export interface ParseResult {
  ast: SpecAst;
  diagnostics: Diagnostic[];
  /** only white space, separators and comments: nothing to parse */
  blank: boolean;
}

export function parseSource(source: SourceFile): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lexed = specLexer.tokenize(source.text);
  const blank = lexed.errors.length === 0 && lexed.tokens.every((t) => t.tokenType === Newline || t.tokenType === Semicolon);
  diagnostics.push(...lexDiagnostics(lexed.errors, source));
  specParser.input = lexed.tokens;
  const cst = specParser.spec();
  for (const e of specParser.errors) diagnostics.push(syntaxDiagnostic(e, source));
  const comments = (lexed.groups['comments'] ?? []) as IToken[];
  const builder = new AstBuilder(source);
  const ast = builder.build(cst, comments);
  diagnostics.push(...builder.diagnostics);
  diagnostics.sort((a, b) => (a.span?.offset ?? 0) - (b.span?.offset ?? 0));
  return { ast, diagnostics, blank };
}

/**
 * Parses the text of `source` from `offset` on as the arguments of a statement
 * (a `--set` value after its `=`), with the spans of the whole source.
 */
export function parseArguments(source: SourceFile, offset: number): { phrases: Phrase[]; diagnostics: Diagnostic[] } {
  // blanks in place of what precedes the value keep every offset that of the source
  const lexed = specLexer.tokenize(' '.repeat(offset) + source.text.slice(offset));
  const diagnostics = lexDiagnostics(lexed.errors, source);
  specParser.input = lexed.tokens.filter((t) => t.tokenType !== Newline);
  const cst = specParser.arguments();
  for (const e of specParser.errors) diagnostics.push(syntaxDiagnostic(e, source));
  const builder = new AstBuilder(source);
  const phrases = cst ? builder.arguments(cst) : [];
  diagnostics.push(...builder.diagnostics);
  return { phrases, diagnostics };
}

function lexDiagnostics(errors: readonly ILexingError[], source: SourceFile): Diagnostic[] {
  return errors.map((e) => {
    const ch = source.text.slice(e.offset, e.offset + e.length);
    return error('lex', `unexpected character ${JSON.stringify(ch)}`, source.span(e.offset, Math.max(1, e.length)), {
      note: ch === "'" ? 'strings are written in double quotes' : undefined,
    });
  });
}

function describeToken(t: IToken): string {
  if (t.tokenType.name === 'EOF') return 'end of file';
  if (t.tokenType.name === 'Newline') return 'end of line';
  return `'${t.image}'`;
}

/** A token type as the lexer labels it ("'}'", "identifier", "end of line"). */
function describeTokenType(t: TokenType): string {
  return t === EOF ? 'end of file' : String(t.LABEL ?? t.name);
}

function syntaxDiagnostic(e: IRecognitionException, source: SourceFile): Diagnostic {
  const t = e.token;
  const atEnd = t.tokenType.name === 'EOF' || !Number.isFinite(t.startOffset);
  const span: Span = atEnd
    ? source.span(Math.max(0, source.text.length - 1), 1)
    : source.span(t.startOffset, Math.max(1, t.image.length));
  const expected = expectedTokens(e);
  const rule = e.context.ruleStack.at(-1);
  let message = `unexpected ${describeToken(t)}`;
  if (rule) message += ` in ${ruleNames[rule] ?? rule}`;
  let suggestion: string | undefined;
  if (t.tokenType.name === 'Identifier') {
    const kw = KEYWORDS.filter((k) => expected.includes(k)).map((k) => String(k.LABEL).replace(/'/g, ''));
    suggestion = suggest(t.image, kw);
  }
  return error('syntax', message, span, { expected: expected.map(describeTokenType).join(', ') || undefined, suggestion });
}

const ruleNames: Record<string, string> = {
  spec: 'the spec',
  extendsClause: "'extends'",
  experiment: "the 'experiment' header",
  block: 'a block',
  statement: 'a statement',
  arguments: 'the arguments of a statement',
  phrase: 'a value',
  atom: 'a value',
  call: 'a call',
  callArg: 'an argument',
  sep: 'a statement',
};
