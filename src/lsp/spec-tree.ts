// The statements of a parsed spec, each with its entry of the statement table
// and the configuration path its value goes to: what hover, definition and the
// outline need to know about the place under the cursor.
import { EXPERIMENT, type BlockDef, type SpecAst, type Statement, type StatementDef } from '../compiler/index.js';

export interface PlacedStatement {
  readonly statement: Statement;
  /** absent for a statement the block does not have */
  readonly def?: StatementDef;
  /** configuration path of the statement's value, e.g. `train.optimizer` ('' for the whole experiment) */
  readonly path: string;
  /** `experiment`, `train`, `preprocess`, … */
  readonly blockName: string;
  readonly blockDef: BlockDef;
  /** the enclosing statement, if any */
  readonly parent?: PlacedStatement;
}

export const joinPath = (base: string, rel: string): string => [base, rel].filter(Boolean).join('.');

/** The table of the block a statement opens (`model r2unet { … }` → the model's statements). */
export function bodyOf(def: StatementDef | undefined): BlockDef | undefined {
  if (!def) return undefined;
  if (def.form === 'block' || def.form === 'namedBlock') return def.body;
  if (def.form === 'ops') return def.ops;
  return undefined;
}

/** Every statement of the spec, outer before inner, in source order. */
export function placedStatements(ast: SpecAst): PlacedStatement[] {
  const out: PlacedStatement[] = [];
  const visit = (statements: readonly Statement[], blockDef: BlockDef, blockName: string, base: string, isOps: boolean, parent?: PlacedStatement) => {
    statements.forEach((statement, index) => {
      const def = blockDef[statement.key.text];
      // a preprocessing op is one element of a list: its path is the list's plus its index
      const path = isOps ? joinPath(base, String(index)) : def ? joinPath(base, def.target) : joinPath(base, statement.key.text);
      const placed: PlacedStatement = { statement, def, path, blockName, blockDef, parent };
      out.push(placed);
      const body = bodyOf(def);
      if (statement.block && body) visit(statement.block.statements, body, statement.key.text, path, def!.form === 'ops', placed);
    });
  };
  if (ast.body) visit(ast.body.statements, EXPERIMENT, 'experiment', '', false);
  return out;
}

const contains = (span: { offset: number; length: number }, offset: number) => span.offset <= offset && offset <= span.offset + span.length;

/** The innermost statement whose text contains the offset. */
export function statementAt(ast: SpecAst, offset: number): PlacedStatement | undefined {
  let found: PlacedStatement | undefined;
  for (const p of placedStatements(ast)) if (contains(p.statement.span, offset)) found = p;
  return found;
}

export { contains as spanContains };
