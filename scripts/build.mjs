// Bundles the command line and the compiler front end into dist/ so that
// `r2u check/fmt/diff` start in a few hundred milliseconds. The runtime and the
// code generator (and the web page exporter) stay TypeScript sources, loaded
// through tsx when a command needs them (they use worker threads and templates that live beside them).
// Run by `npm ci`/`npm install` (the `prepare` script) and `npm run build`.
import { build } from 'esbuild';
import { tsImport } from 'tsx/esm/api';
import { rmSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lazy = [resolve(root, 'src/runtime'), resolve(root, 'src/compiler/codegen'), resolve(root, 'src/web')];

/** Keeps imports of the runtime and code generator as imports of their sources. */
const keepSourcesExternal = {
  name: 'keep-sources-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      if (!lazy.some((dir) => target.startsWith(dir + '/'))) return undefined;
      return { path: './' + relative(resolve(root, 'dist'), target).split('\\').join('/'), external: true };
    });
  },
};

/**
 * Compiles the experiment schema with ajv now and bundles ajv's standalone
 * code in place of src/compiler/precompiled-validator.ts: `r2u check` then
 * starts without compiling the schema (~140 ms).
 */
async function precompiledValidatorPlugin() {
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
  const { EXPERIMENT_SCHEMA } = await tsImport('../src/compiler/schema.ts', import.meta.url);
  const { AJV_OPTIONS } = await tsImport('../src/compiler/validate.ts', import.meta.url);
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  const code = standaloneCode(ajv, ajv.compile(EXPERIMENT_SCHEMA));
  const target = resolve(root, 'src/compiler/precompiled-validator.ts');
  return {
    name: 'precompiled-validator',
    setup(b) {
      b.onLoad({ filter: /precompiled-validator\.ts$/ }, (args) =>
        args.path === target ? { contents: `${code}\nexport const precompiledValidator = validate;\n`, loader: 'js', resolveDir: dirname(target) } : undefined,
      );
    },
  };
}

const { WORKER_BUNDLE } = await tsImport('../src/runtime/engine/worker-entry.ts', import.meta.url);

// chunk names are content hashes: clear out the previous build's
rmSync(resolve(root, 'dist'), { recursive: true, force: true });

await build({
  entryPoints: [resolve(root, 'src/cli/main.ts')],
  outdir: resolve(root, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // heavy or native packages stay in node_modules; chevrotain, ajv and commander are bundled (faster start)
  external: ['sharp', '@tensorflow/*', 'ts-morph', 'handlebars', 'typescript', 'tsx', 'fast-check'],
  banner: { js: "import { createRequire as __r2uCreateRequire } from 'node:module'; const require = __r2uCreateRequire(import.meta.url);" },
  plugins: [keepSourcesExternal, await precompiledValidatorPlugin()],
  logLevel: 'warning',
});

// The data-parallel gradient worker, bundled so that each worker thread starts
// without tsx's loader (about 17 MiB and a second less per worker). It sits at
// the depth of its source, so the paths its modules resolve from
// import.meta.url (the native addon, ../../../native) hold. The engine falls
// back to the TypeScript source when this file is older than the runtime.
await build({
  entryPoints: [resolve(root, 'src/runtime/engine/worker.ts')],
  outfile: resolve(root, WORKER_BUNDLE),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
