// Stage 1: tokens. Newlines and `;` end statements, so they are tokens; other
// whitespace is skipped; comments go to their own group so the formatter can
// keep them.
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n|\r/, line_breaks: true, label: 'end of line' });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\r\n]*/, group: 'comments' });
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  line_breaks: true,
  group: 'comments',
});

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'identifier' });
export const Experiment = createToken({ name: 'Experiment', pattern: /experiment/, longer_alt: Identifier, label: "'experiment'" });
export const Extends = createToken({ name: 'Extends', pattern: /extends/, longer_alt: Identifier, label: "'extends'" });

// `48 x 48` (also `48x48`, `48 × 48`) is one token: sizes are written this way
// throughout the language and the formatter prints them uniformly.
export const DimsLiteral = createToken({ name: 'DimsLiteral', pattern: /\d+[ \t]*[x×][ \t]*\d+(?![A-Za-z0-9_.])/, label: 'size (H x W)' });
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/,
  label: 'number',
});
// Single-quoted strings are lexed too, so the mistake gets one clear message
// (the AST builder reports it) instead of a cascade.
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*'/,
  label: 'string',
});

export const LCurly = createToken({ name: 'LCurly', pattern: /{/, label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: /}/, label: "'}'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: "':'" });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, label: "';'" });

export const allTokens: TokenType[] = [
  WhiteSpace,
  Newline,
  LineComment,
  BlockComment,
  Experiment,
  Extends,
  DimsLiteral,
  NumberLiteral,
  StringLiteral,
  Identifier,
  LCurly,
  RCurly,
  LParen,
  RParen,
  Comma,
  Colon,
  Semicolon,
];

export const specLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false });
