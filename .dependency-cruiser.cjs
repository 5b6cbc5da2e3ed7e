// The layers of r2u and the imports each may make (ARCHITECTURE.md draws them).
// `npm test` runs this rule set and fails on an import that runs the wrong way.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'spec-is-neutral',
      comment: 'src/spec holds the experiment\'s vocabulary and types; both the compiler and the runtime read it, so it imports neither',
      severity: 'error',
      from: { path: '^src/spec/' },
      to: { path: '^src/(compiler|runtime|cli|lsp)/' },
    },
    {
      name: 'compiler-does-not-run',
      comment: 'the compiler turns specs into configurations and modules; it never loads the runtime (TensorFlow.js) or the command line',
      severity: 'error',
      from: { path: '^src/compiler/' },
      to: { path: '^src/(runtime|cli|lsp)/' },
    },
    {
      name: 'runtime-does-not-compile',
      comment: 'the runtime executes a resolved configuration; it never imports the compiler or the command line',
      severity: 'error',
      from: { path: '^src/runtime/' },
      to: { path: '^src/(compiler|cli|lsp)/' },
    },
    {
      name: 'lsp-starts-fast',
      comment: 'the language server (src/lsp) runs the compiler front end only: nothing it reaches, directly or through the compiler, is the runtime (TensorFlow.js), the code generator or the command line',
      severity: 'error',
      from: { path: '^src/lsp/' },
      to: { path: '^src/(runtime|cli)/|^src/compiler/codegen/', reachable: true },
    },
    {
      name: 'web-pages-use-the-runtime',
      comment: 'src/web builds the pages r2u writes (the browser page, the comparison page): they read the spec types and the runtime, never the compiler or the command line',
      severity: 'error',
      from: { path: '^src/web/' },
      to: { path: '^src/(compiler|cli|lsp)/' },
    },
    {
      name: 'generated-modules-use-the-runtime',
      comment: 'generated modules import the runtime, the spec types and one entry helper of the command line, nothing else of r2u',
      severity: 'error',
      from: { path: '^generated/' },
      to: { path: '^src/', pathNot: '^src/(runtime|spec)/|^src/cli/generated-module[.]ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/compiler/precompiled-validator[.]ts$' },
  },
};
