import { createToken, CstParser } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { grammarToEbnf } from '../../src/compiler/ebnf.js';

const Word = createToken({ name: 'WordLiteral', pattern: /[a-z]+/, label: 'word' });
const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
const Semi = createToken({ name: 'Semicolon', pattern: /;/, label: "';'" });
const Space = createToken({ name: 'WhiteSpace', pattern: /\s+/ });
const tokens = [Space, Word, Comma, Semi];

class ListParser extends CstParser {
  constructor() {
    super(tokens);
    this.performSelfAnalysis();
  }
  lists = this.RULE('lists', () => {
    this.AT_LEAST_ONE_SEP({ SEP: Semi, DEF: () => this.SUBRULE(this.list) });
  });
  list = this.RULE('list', () => {
    this.MANY_SEP({ SEP: Comma, DEF: () => this.CONSUME(Word, { LABEL: 'item' }) });
    this.OPTION(() => {
      this.OR([{ ALT: () => this.CONSUME2(Word) }, { ALT: () => this.CONSUME(Comma) }]);
    });
  });
}

describe('EBNF printed from a Chevrotain grammar', () => {
  it('prints separated repetitions, labels, alternations and the token patterns', () => {
    expect(grammarToEbnf(new ListParser().getSerializedGastProductions(), tokens)).toBe(
      [
        "lists       ::= list ( ';' list )*",
        "list        ::= ( item=WORD ( ',' item=WORD )* )? ( WORD | ',' )?",
        '',
        'WORD        ::= /[a-z]+/',
        '',
        '(* between any two tokens *)',
        'WHITE_SPACE ::= /\\s+/',
      ].join('\n'),
    );
  });
});
