// The layer rules of .dependency-cruiser.cjs (run over the real tree by
// `npm test` before vitest) catch an import that runs the wrong way: proved
// on a small tree with one such import per rule (extensionless specifiers:
// the rules are about paths, and this tree has no tsconfig to map .js to .ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const rules = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as { forbidden: unknown[] };
const root = mkdtempSync(join(tmpdir(), 'r2u-layers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

async function violations(): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const result = await cruise(['src', 'generated'], { validate: true, ruleSet: { forbidden: rules.forbidden } as never, tsPreCompilationDeps: true });
    const output = result.output as { summary: { violations: Array<{ from: string; to: string; rule: { name: string } }> } };
    return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
  } finally {
    process.chdir(cwd);
  }
}

describe('layer rules', () => {
  it('allow the imports of the layering and refuse each wrong-way import', async () => {
    tree({
      'src/spec/config.ts': 'export const spec = 1;\n',
      'src/compiler/load.ts': "import { spec } from '../spec/config';\nexport const load = spec;\n",
      'src/runtime/loop.ts': "import { spec } from '../spec/config';\nexport const loop = spec;\n",
      'src/cli/generated-module.ts': "import { load } from '../compiler/load';\nimport { loop } from '../runtime/loop';\nexport const entry = load + loop;\n",
      'generated/ok.ts': "import { loop } from '../src/runtime/loop';\nimport { entry } from '../src/cli/generated-module';\nexport default loop + entry;\n",
      'src/lsp/server.ts': "import { load } from '../compiler/load';\nexport default load;\n",
      'src/web/page.ts': "import { loop } from '../runtime/loop';\nexport default loop;\n",
    });
    expect(await violations()).toEqual([]);
    tree({
      'src/spec/bad.ts': "import { load } from '../compiler/load';\nexport default load;\n",
      'src/compiler/bad.ts': "import { loop } from '../runtime/loop';\nexport default loop;\n",
      'src/runtime/bad.ts': "import { load } from '../compiler/load';\nexport default load;\n",
      'generated/bad.ts': "import { load } from '../src/compiler/load';\nexport default load;\n",
      // the language server may not reach the code generator, even through the compiler
      'src/compiler/codegen/emit.ts': 'export const emit = 1;\n',
      'src/compiler/compile.ts': "import { emit } from './codegen/emit';\nexport const compile = emit;\n",
      'src/lsp/bad.ts': "import { compile } from '../compiler/compile';\nexport default compile;\n",
      'src/web/bad.ts': "import { load } from '../compiler/load';\nexport default load;\n",
    });
    expect(await violations()).toEqual([
      'compiler-does-not-run: src/compiler/bad.ts → src/runtime/loop.ts',
      'generated-modules-use-the-runtime: generated/bad.ts → src/compiler/load.ts',
      'lsp-starts-fast: src/lsp/bad.ts → src/compiler/codegen/emit.ts',
      'runtime-does-not-compile: src/runtime/bad.ts → src/compiler/load.ts',
      'spec-is-neutral: src/spec/bad.ts → src/compiler/load.ts',
      'web-pages-use-the-runtime: src/web/bad.ts → src/compiler/load.ts',
    ]);
  });
});
