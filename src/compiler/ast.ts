// The syntax tree of a spec: what was written, with spans, before any meaning
// is given to it. Comments are attached to statements so the formatter keeps them.
import type { Span } from './source.js';

export type Atom =
  | { readonly kind: 'number'; readonly text: string; readonly value: number; readonly span: Span }
  | { readonly kind: 'dims'; readonly text: string; readonly value: readonly [number, number]; readonly span: Span }
  | { readonly kind: 'string'; readonly text: string; readonly value: string; readonly span: Span }
  | { readonly kind: 'ident'; readonly text: string; readonly span: Span }
  | { readonly kind: 'call'; readonly name: string; readonly nameSpan: Span; readonly args: CallArg[]; readonly span: Span };

export interface CallArg {
  readonly name?: { readonly text: string; readonly span: Span };
  readonly atoms: Atom[];
  readonly span: Span;
}

/** Comma-separated part of a statement's arguments: one or more atoms. */
export interface Phrase {
  readonly atoms: Atom[];
  readonly span: Span;
}

export interface Comment {
  readonly text: string;
  readonly span: Span;
  readonly endLine: number;
}

export interface Statement {
  readonly key: { readonly text: string; readonly span: Span };
  readonly args: Phrase[];
  readonly block?: Block;
  readonly span: Span;
  readonly endLine: number;
  /** comments on their own lines just before the statement */
  readonly leading: Comment[];
  /** comments after the statement on its last line (or inside its arguments) */
  readonly trailing: Comment[];
  /** a blank line separates this statement (or its leading comments) from what precedes it */
  blankBefore: boolean;
}

export interface Block {
  readonly statements: Statement[];
  readonly span: Span;
  /** comments after the last statement, before `}` */
  readonly dangling: Comment[];
}

export interface SpecAst {
  readonly file: string;
  readonly extends?: { readonly path: string; readonly span: Span };
  readonly name?: { readonly text: string; readonly span: Span };
  readonly body?: Block;
  /** comments before `extends` (or before `experiment` when there is no extends) */
  readonly header: Comment[];
  /** comments between `extends "…"` and `experiment` */
  readonly preamble: Comment[];
  /** comments after the closing brace */
  readonly footer: Comment[];
}
