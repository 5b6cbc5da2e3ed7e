// Language-server speed: server-side time from a change to diagnostics ready
// (the front end plus the conversion to LSP), completion, and how long
// `r2u lsp --stdio` takes to answer `initialize` after it is started.
// Goals (issue 15): diagnostics ≤ 20 ms for the reference spec and ≤ 200 ms
// for a 2,000-line spec; completion ≤ 10 ms; ready within 300 ms.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { loadExperimentSync, specLexer, specParser } from '../src/compiler/index.js';
import { analyze } from '../src/lsp/analysis.js';
import { complete } from '../src/lsp/completion.js';
import { toLspDiagnostics } from '../src/lsp/diagnostics.js';
import { DIAGNOSTICS_DELAY_MS } from '../src/lsp/server.js';
import { startClient } from '../test/lsp/client.js';
import { largeSpec } from './large-spec.js';
import { machineLine, stats } from './machine.js';

const ms = (s: ReturnType<typeof stats>) => `median ${s.median.toFixed(2)} ms, max ${s.max.toFixed(2)} ms`;

function time(runs: number, f: (i: number) => void): ReturnType<typeof stats> {
  for (let i = 0; i < Math.min(20, runs); i++) f(i); // warm-up (JIT)
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f(i);
    samples.push(performance.now() - t0);
  }
  return stats(samples);
}

const uri = pathToFileURL(resolve('specs/bench.r2u')).href;
const reference = readFileSync('specs/drive-r2unet-single.r2u', 'utf8');
const large = largeSpec(2000);

console.log(`## language server (${machineLine()}; load average ${loadavg()[0].toFixed(1)})`);

/** What the server does when a change's quiet time is over: analyse, convert, (send). */
const diagnose = (text: string, version: number) => {
  const doc = TextDocument.create(uri, 'r2u', version, text);
  toLspDiagnostics(analyze(doc), doc);
};
const withTypo = (text: string, i: number) => text.replace('batch 32', i % 2 ? 'batch 32' : 'bacth 32');
console.log(`diagnostics after a change, reference spec (${reference.split('\n').length} lines): ${ms(time(300, (i) => diagnose(withTypo(reference, i), i)))}  (goal 20 ms)`);
console.log(`diagnostics after a change, generated spec (${large.split('\n').length} lines): ${ms(time(30, (i) => diagnose(withTypo(large, i), i)))}  (goal 200 ms)`);
console.log(`  the front end alone on the generated spec (what r2u check runs): ${ms(time(30, (i) => loadExperimentSync('specs/bench.r2u', { text: withTypo(large, i) })))}`);
console.log(`  (the server waits ${DIAGNOSTICS_DELAY_MS} ms of quiet after the last change before it runs them)`);

const cursors: [string, string][] = [
  ['a statement in train { }', '    batch 32'],
  ['after `optimizer `', 'adam(lr: 1e-3)'],
  ['inside `adam(`', 'lr: 1e-3)'],
  ['a phrase word after `patches 48 x 48, `', 'random 10000'],
];
for (const [what, needle] of cursors) {
  const doc = TextDocument.create(uri, 'r2u', 1, reference);
  const offset = reference.indexOf(needle) + (needle.startsWith(' ') ? 4 : 0);
  console.log(`completion, reference spec, ${what}: ${ms(time(500, () => complete(doc, offset)))}  (goal 10 ms)`);
}
const largeDoc = TextDocument.create(uri, 'r2u', 1, large);
console.log(`completion at the end of the generated spec: ${ms(time(50, () => complete(largeDoc, large.indexOf('  train {') + 10)))}`);

// Chevrotain's content assist: used for the keywords that start a file, and
// timed over the whole reference spec to show why it is not used inside blocks
const head = specLexer.tokenize('extends "drive-r2unet-single.r2u"\n\n').tokens;
console.log(`computeContentAssist for the start of a file: ${ms(time(500, () => specParser.computeContentAssist('spec', head)))}`);
const body = specLexer.tokenize(reference.slice(0, reference.indexOf('batch 32'))).tokens;
const assist = time(20, () => specParser.computeContentAssist('spec', body));
console.log(`computeContentAssist over the reference spec up to \`batch\` (${body.length} tokens): ${ms(assist)}; it answers only "an identifier" there`);

// start-up, from the bundle as editors run it
spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
const starts: number[] = [];
const firstDiagnostics: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const client = await startClient();
  starts.push(performance.now() - t0);
  const opened = client.open(resolve('specs/bench.r2u'), withTypo(reference, 0), 1);
  await client.diagnostics(opened, 1);
  firstDiagnostics.push(performance.now() - t0);
  await client.stop();
}
console.log(`r2u lsp --stdio: process start to the initialize response ${ms(stats(starts))}  (goal 300 ms); to the first diagnostics of the reference spec ${ms(stats(firstDiagnostics))}`);
const node = stats([0, 1, 2, 3, 4].map(() => { const t0 = performance.now(); spawnSync(process.execPath, ['-e', '0']); return performance.now() - t0; }));
console.log(`  (node -e 0 alone: median ${node.median.toFixed(0)} ms)`);
