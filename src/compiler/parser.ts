// Stage 2: syntax. A Chevrotain CST parser (one instance, reused) with error
// recovery, so one pass reports every syntax error. The grammar is small and
// uniform; what each statement means is the business of `language.ts`. Its
// EBNF is printed from this class into grammar/REFERENCE.md (see `ebnf.ts`).
import { CstParser, EOF, type CstNode, type IParserErrorMessageProvider, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import * as T from './lexer.js';

// Chevrotain hands the message provider what the parser expected as token
// types, but keeps only the string the provider returns. So the "message" is
// the expected tokens' names as JSON, and `expectedTokens` reads them back;
// parse.ts words the diagnostic. Each path starts with the token that was due.
const asMessage = (expected: TokenType[]) => JSON.stringify([...new Set(expected.map((t) => t.name))]);
const firstTokens = (paths: TokenType[][]) => paths.flatMap((path) => path.slice(0, 1));

const expectedTokensProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => asMessage([expected]),
  buildNotAllInputParsedMessage: () => asMessage([EOF]),
  buildNoViableAltMessage: ({ expectedPathsPerAlt }) => asMessage(firstTokens(expectedPathsPerAlt.flat())),
  buildEarlyExitMessage: ({ expectedIterationPaths }) => asMessage(firstTokens(expectedIterationPaths)),
};

const tokenTypeByName = new Map([...T.allTokens, EOF].map((t) => [t.name, t]));

/** The tokens the parser would have accepted where it raised `e`. */
export function expectedTokens(e: IRecognitionException): TokenType[] {
  return (JSON.parse(e.message) as string[]).map((name) => tokenTypeByName.get(name)!);
}

export class SpecParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: expectedTokensProvider });
    this.performSelfAnalysis();
  }

  public spec = this.RULE('spec', () => {
    this.MANY(() => this.SUBRULE(this.sep));
    this.OPTION(() => this.SUBRULE(this.extendsClause));
    this.SUBRULE(this.experiment);
    this.MANY2(() => this.SUBRULE2(this.sep));
  });

  public extendsClause = this.RULE('extendsClause', () => {
    this.CONSUME(T.Extends);
    this.CONSUME(T.StringLiteral);
    this.AT_LEAST_ONE(() => this.SUBRULE(this.sep));
  });

  public experiment = this.RULE('experiment', () => {
    // A misspelled `experiment` is accepted here and reported by the AST
    // builder with a suggestion, instead of cascading into syntax errors.
    this.OR([{ ALT: () => this.CONSUME(T.Experiment) }, { ALT: () => this.CONSUME2(T.Identifier, { LABEL: 'misspelledKeyword' }) }]);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.block);
  });

  public block = this.RULE('block', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.sep) }, { ALT: () => this.SUBRULE(this.statement) }]);
    });
    this.CONSUME(T.RCurly);
  });

  public statement = this.RULE('statement', () => {
    this.CONSUME(T.Identifier, { LABEL: 'key' });
    this.OPTION(() => this.SUBRULE(this.arguments));
    this.OPTION2(() => this.SUBRULE(this.block));
    // a statement ends at a separator or at the closing brace of its block
    this.OPTION3({
      GATE: () => this.LA(1).tokenType !== T.RCurly,
      DEF: () => this.SUBRULE(this.sep),
    });
  });

  public arguments = this.RULE('arguments', () => {
    this.SUBRULE(this.phrase);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.MANY2(() => this.CONSUME(T.Newline));
      this.SUBRULE2(this.phrase);
    });
  });

  public phrase = this.RULE('phrase', () => {
    this.AT_LEAST_ONE(() => this.SUBRULE(this.atom));
  });

  public atom = this.RULE('atom', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.DimsLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { GATE: () => this.LA(2).tokenType === T.LParen, ALT: () => this.SUBRULE(this.call) },
      { ALT: () => this.CONSUME(T.Identifier) },
    ]);
  });

  public call = this.RULE('call', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.LParen);
    this.MANY(() => this.CONSUME(T.Newline));
    this.OPTION(() => {
      this.SUBRULE(this.callArg);
      this.MANY2(() => {
        this.CONSUME(T.Comma);
        this.MANY3(() => this.CONSUME2(T.Newline));
        this.SUBRULE2(this.callArg);
      });
      this.MANY4(() => this.CONSUME3(T.Newline));
    });
    this.CONSUME(T.RParen);
  });

  public callArg = this.RULE('callArg', () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Colon,
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: 'name' });
        this.CONSUME(T.Colon);
      },
    });
    this.AT_LEAST_ONE(() => this.SUBRULE(this.atom));
  });

  public sep = this.RULE('sep', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Newline) }, { ALT: () => this.CONSUME(T.Semicolon) }]);
  });
}

/** The parser singleton: Chevrotain parsers are built once and reused by resetting `input`. */
export const specParser = new SpecParser();

export interface ParseOutput {
  cst: CstNode;
  tokens: IToken[];
  comments: IToken[];
}
