// The language server must start fast and never load TensorFlow.js: nothing
// it imports, directly or through the compiler, may reach src/runtime.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every source file reachable from `entry` by static and dynamic relative imports. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) visit(resolve(dirname(file), m[1].replace(/\.js$/, '.ts')));
  };
  visit(resolve(entry));
  return seen;
}

describe('src/lsp', () => {
  it('reaches the compiler and the spec, never the runtime or the code generator', () => {
    const files = [...reachable('src/lsp/server.ts')].map((f) => relative(process.cwd(), f));
    expect(files).toContain('src/compiler/load.ts');
    expect(files.filter((f) => f.startsWith('src/runtime/') || f.startsWith('src/compiler/codegen/') || f.startsWith('src/cli/'))).toEqual([]);
  });
});
