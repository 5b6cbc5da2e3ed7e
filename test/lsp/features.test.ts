// The server's features on documents in memory; `|` marks the cursor.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CompletionItem, MarkupContent } from 'vscode-languageserver';
import { analyze } from '../../src/lsp/analysis.js';
import { quickFixes } from '../../src/lsp/code-actions.js';
import { complete } from '../../src/lsp/completion.js';
import { definition, documentLinks } from '../../src/lsp/definition.js';
import { toLspDiagnostics } from '../../src/lsp/diagnostics.js';
import { formatDocument } from '../../src/lsp/formatting.js';
import { hover } from '../../src/lsp/hover.js';
import { documentSymbols, foldingRanges } from '../../src/lsp/outline.js';

const specs = resolve('specs');
const reference = readFileSync('specs/drive-r2unet-single.r2u', 'utf8');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** A document at `path` (default: a new spec beside the shipped ones) and the cursor's offset. */
function at(marked: string, path = join(specs, 'editing.r2u')) {
  const offset = marked.indexOf('|');
  const text = offset < 0 ? marked : marked.slice(0, offset) + marked.slice(offset + 1);
  const doc = TextDocument.create(pathToFileURL(path).href, 'r2u', 1, text);
  return { doc, offset, analysis: analyze(doc) };
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);
const completionAt = (marked: string) => {
  const { doc, offset } = at(marked);
  return complete(doc, offset);
};
const docOf = (item: CompletionItem | undefined) => (item?.documentation as MarkupContent | undefined)?.value ?? '';

describe('completion', () => {
  it("offers the block's statements, without those already set, each with its doc", () => {
    const items = completionAt('experiment t {\n  seed 1\n  |\n}\n');
    expect(labels(items)).toEqual(['data', 'model', 'train', 'eval', 'runtime', 'sweep']);
    const train = completionAt('experiment t {\n  train {\n    batch 8\n    ep|\n  }\n}\n');
    expect(labels(train)).toContain('epochs');
    expect(labels(train)).not.toContain('batch');
    // statements after the cursor count too, those of inner blocks do not
    const later = labels(completionAt('experiment t {\n  |\n  seed 1; train { epochs 2 }\n  model unet {\n    depth 3\n  }\n}\n'));
    expect(later).toEqual(['data', 'eval', 'runtime', 'sweep']);
    expect(labels(completionAt('experiment t {\n  train {\n    |\n    optimizer adam(lr: 1e-3,\n      beta1: 0.9)\n    metrics dice,\n      auc\n  }\n}\n'))).not.toContain('optimizer');
    expect(labels(completionAt('experiment t {\n  /* a\n  | */\n}\n'))).toEqual([]);
    expect(docOf(train.find((i) => i.label === 'epochs'))).toMatch(/Maximum number of epochs[\s\S]*\*\*Default:\*\* `\d+`/);
  });

  it("offers the sweep's own statements inside sweep, grid and zip blocks", () => {
    const inSweep = completionAt('experiment t {\n  sweep {\n    seeds 1, 2\n    |\n  }\n}\n');
    expect(labels(inSweep)).toEqual(['vary', 'zip', 'grid', 'random', 'adopt']);
    expect(docOf(inSweep.find((i) => i.label === 'random'))).toMatch(/random N seed S/);
    expect(docOf(inSweep.find((i) => i.label === 'adopt'))).toMatch(/adopt if \[scored at EPOCH,\] mean METRIC above X/);
    expect(labels(completionAt('experiment t {\n  sweep {\n    grid {\n      |\n    }\n  }\n}\n'))).toEqual(['vary', 'zip']);
    expect(labels(completionAt('experiment t {\n  sweep {\n    zip w {\n      |\n    }\n  }\n}\n'))).toEqual(['vary']);
    expect(labels(completionAt('experiment t {\n  sweep { vary "seed" 1 }\n  |\n}\n'))).not.toContain('sweep');
  });

  it('walks an adoption rule word by word: if, mean or a metric, above or below, better in … of', () => {
    const at = (rule: string) => labels(completionAt(`experiment t {\n  sweep {\n    vary "seed" 1, 2\n    adopt ${rule}|\n  }\n}\n`));
    expect(at('')).toEqual(['if']);
    expect(at('if ')).toEqual(['mean', 'loss', 'dice', 'auc', 'accuracy', 'sensitivity', 'specificity', 'scored']);
    expect(at('if scored ')).toEqual(['at']);
    expect(at('if scored at ')).toEqual(['model', 'best', 'last', 'heldout']);
    expect(at('if mean ')).toEqual(['loss', 'dice', 'auc', 'accuracy', 'sensitivity', 'specificity']);
    expect(at('if mean dice ')).toEqual(['above', 'below']);
    expect(at('if mean dice above 0, dice ')).toEqual(['better']);
    expect(at('if dice better ')).toEqual(['in']);
    expect(at('if dice better in 4 ')).toEqual(['of']);
    expect(at('if dice better in 4 of ')).toEqual([]);
  });

  it('offers variants, their named arguments (not those given) and enum values with meanings', () => {
    expect(labels(completionAt('experiment t {\n  train { optimizer | }\n}\n'))).toEqual(['adam', 'adamw', 'sgd']);
    const args = completionAt('experiment t {\n  train { optimizer adamw(lr: 1e-3, |) }\n}\n');
    expect(labels(args)).toEqual(['beta1:', 'beta2:', 'epsilon:', 'weight_decay:']);
    expect(docOf(args.find((i) => i.label === 'weight_decay:'))).toMatch(/default `/);
    expect(labels(completionAt('experiment t {\n  train { optimizer sgd(nesterov: |) }\n}\n'))).toEqual(['true', 'false']);
    const monitors = completionAt('experiment t {\n  train {\n    early_stop |\n  }\n}\n');
    expect(labels(monitors)).toEqual(expect.arrayContaining(['val_dice', 'patience', 'restore_best', 'off']));
    expect(docOf(monitors.find((i) => i.label === 'val_dice'))).toContain('validation Dice');
    const metrics = completionAt('experiment t {\n  train { metrics dice, | }\n}\n');
    expect(labels(metrics)).toContain('auc');
    expect(labels(metrics)).not.toContain('dice');
    expect(labels(completionAt('experiment t {\n  model |\n}\n'))).toEqual(['r2unet', 'unet', 'attention_r2unet']);
  });

  it('offers the next word of a phrase', () => {
    const patches = (rest: string) => labels(completionAt(`experiment t {\n  data {\n    patches 48 x 48, ${rest}|\n  }\n}\n`));
    expect(patches('')).toEqual(expect.arrayContaining(['random', 'vessel_fraction']));
    expect(patches('random 100 ')).toEqual(['per']);
    expect(patches('random 100 per ')).toEqual(['epoch']);
    expect(labels(completionAt('experiment t {\n  data { preprocess { crop | } }\n}\n'))).toEqual(['center', 'box']);
  });

  it('offers relative .r2u paths after extends "', () => {
    const items = labels(completionAt('extends "|'));
    expect(items).toEqual(expect.arrayContaining(['drive-r2unet.r2u', 'quickstart.r2u']));
    expect(items).not.toContain('editing.r2u');
    expect(labels(completionAt('extends "../|'))).toEqual(expect.arrayContaining(['specs/', 'src/']));
  });

  it('offers the keywords that may start the file (from the grammar)', () => {
    expect(labels(completionAt('|'))).toEqual(['extends', 'experiment']);
    expect(labels(completionAt('extends "drive-r2unet.r2u"\n\n|'))).toEqual(['experiment']);
  });

  it('works in a file with errors, and not inside comments or strings', () => {
    const broken = 'experiment t {\n  model r2unet { depht 3 filters\n  data { dataset drive("x" }\n  train {\n    loss |\n';
    expect(labels(completionAt(broken))).toEqual(expect.arrayContaining(['bce', 'bce_dice', 'focal']));
    expect(completionAt('experiment t {\n  // seed |\n}\n')).toEqual([]);
    expect(completionAt('experiment t {\n  data { dataset drive("da|") }\n}\n')).toEqual([]);
  });
});

describe('hover', () => {
  const child = 'extends "drive-r2unet-single.r2u"\n\nexperiment child {\n  model unet {}\n  train { epochs 20 }\n}\n';
  const hoverAt = (needle: string, text = child) => {
    const { doc, analysis } = at(text);
    const value = hover(doc, analysis, text.indexOf(needle) + 1);
    return (value?.contents as MarkupContent | undefined)?.value ?? '';
  };

  it('shows the doc, type, default, the resolved value and where it came from', () => {
    const model = hoverAt('model');
    expect(model).toContain('The network');
    expect(model).toMatch(new RegExp(`\\| \`depth\` \\| \`3\` \\| inherited from drive-r2unet-single\\.r2u:${lineOf(reference, 'depth 3')} \\|`));
    expect(model).toContain('| `arch` | `unet` | set here (line 4) |');
    const epochs = hoverAt('epochs');
    expect(epochs).toContain('**Type:** integer ≥ 1 and ≤ 100000');
    expect(epochs).toMatch(/\*\*Resolved:\*\* `20` — set here \(line 5\)/);
    const own = hoverAt('seed', 'experiment t {\n  seed 3\n}\n');
    expect(own).toMatch(/\*\*Default:\*\* `\d+`/);
    expect(hoverAt('batch', 'experiment t {\n  train { batch 8 }\n}\n')).toMatch(/Resolved:\*\* `8`/);
  });

  it('explains values, variants and arguments', () => {
    const text = 'experiment t {\n  model r2unet { norm batch }\n  train { optimizer adam(lr: 1e-3) }\n}\n';
    expect(hoverAt('r2unet', text)).toContain('recurrent residual');
    expect(hoverAt('batch }', text)).toContain('batch normalisation');
    expect(hoverAt('adam', text)).toMatch(/`lr`: number > 0, default `0\.001`/);
    expect(hoverAt('lr', text)).toContain('adam(lr: …)');
  });

  it('leaves out the resolved value while the spec has errors', () => {
    expect(hoverAt('seed', 'experiment t {\n  seed 3\n  sed 4\n}\n')).toContain('shown when the spec has no errors');
  });
});

describe('definition and links', () => {
  const child = 'extends "drive-r2unet-single.r2u"\n\nexperiment child {\n  model unet {}\n  train { epochs 20 }\n}\n';
  const parentUri = pathToFileURL(join(specs, 'drive-r2unet-single.r2u')).href;

  it('jumps from the extends path to the file, which is also a document link', () => {
    const { doc, analysis } = at(child);
    expect(definition(doc, analysis, child.indexOf('drive-r2unet'))).toEqual([{ uri: parentUri, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }]);
    const links = documentLinks(doc, analysis);
    expect(links.map((l) => [l.target, doc.getText(l.range)])).toEqual([[parentUri, 'drive-r2unet-single.r2u']]);
  });

  it('jumps from a key to the statements whose values win', () => {
    const { doc, analysis } = at(child);
    const epochs = definition(doc, analysis, child.indexOf('epochs'));
    expect(epochs).toEqual([{ uri: doc.uri, range: { start: { line: 4, character: 17 }, end: { line: 4, character: 19 } } }]);
    const model = definition(doc, analysis, child.indexOf('model'));
    expect(model[0]).toMatchObject({ uri: doc.uri, range: { start: { line: 3 } } }); // arch: unet, here
    expect(model).toContainEqual(expect.objectContaining({ uri: parentUri, range: expect.objectContaining({ start: { line: lineOf(reference, 'depth 3') - 1, character: 10 } }) }));
  });
});

describe('formatting', () => {
  const messy = '// a spec\nexperiment   t{\n    seed 1;model r2unet{depth 3}\n\n\n  train {  optimizer adam( lr:1e-3 )  // fast\n  }\n}\n';

  it('is byte for byte r2u fmt, idempotent, and leaves files that do not parse alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'r2u-fmt-'));
    const files = [['messy.r2u', messy], ...['drive-r2unet.r2u', 'quickstart.r2u'].map((f) => [f, readFileSync(join(specs, f), 'utf8')])];
    let editor = '';
    for (const [name, text] of files) {
      writeFileSync(join(dir, name), text);
      const doc = TextDocument.create(pathToFileURL(join(dir, name)).href, 'r2u', 1, text);
      const formatted = TextDocument.applyEdits(doc, formatDocument(doc));
      expect(formatDocument(TextDocument.create(doc.uri, 'r2u', 2, formatted))).toEqual([]);
      editor += formatted;
    }
    const cli = spawnSync(process.execPath, ['bin/r2u.mjs', 'fmt', '--stdout', ...files.map(([name]) => join(dir, name))], { encoding: 'utf8' });
    expect(cli.status).toBe(0);
    expect(editor).toBe(cli.stdout);
    expect(formatDocument(at('experiment t {\n  seed 1 {\n').doc)).toEqual([]);
  });

  it('keeps CRLF line ends', () => {
    const doc = at(messy.replace(/\n/g, '\r\n')).doc;
    const out = TextDocument.applyEdits(doc, formatDocument(doc));
    expect(out).toContain('\r\n');
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });
});

describe('quick fixes and diagnostics', () => {
  it('applies the did-you-mean carried in diagnostic.data, as the preferred fix', () => {
    const { doc, analysis } = at('experiment t {\n  model r2unet { depht 3 }\n  train { optimizer adm }\n  seed x\n}\n');
    const diagnostics = toLspDiagnostics(analysis, doc);
    expect(diagnostics.map((d) => d.code)).toEqual(['unknown-key', 'unknown-value', 'bad-value']);
    const actions = quickFixes({ textDocument: { uri: doc.uri }, range: diagnostics[0].range, context: { diagnostics } });
    expect(actions.map((a) => [a.title, a.isPreferred])).toEqual([["Change to 'depth'", true], ["Change to 'adam'", true]]);
    const fixed = TextDocument.applyEdits(doc, actions.flatMap((a) => a.edit!.changes![doc.uri]));
    expect(fixed).toContain('model r2unet { depth 3 }');
    expect(fixed).toContain('optimizer adam');
    // the fix reads `data`, not the message
    expect(quickFixes({ textDocument: { uri: doc.uri }, range: diagnostics[0].range, context: { diagnostics: [{ ...diagnostics[0], data: undefined }] } })).toEqual([]);
  });

  it("shows a parent's errors on the extends clause, with the parent's place as related information", () => {
    const dir = mkdtempSync(join(tmpdir(), 'r2u-ext-'));
    writeFileSync(join(dir, 'parent.r2u'), 'experiment p {\n  train { bacth 4 }\n}\n');
    const text = 'extends "parent.r2u"\nexperiment c {\n  seed 1\n}\n';
    const { doc, analysis } = at(text, join(dir, 'child.r2u'));
    const [d] = toLspDiagnostics(analysis, doc);
    expect(d.range).toEqual({ start: { line: 0, character: 8 }, end: { line: 0, character: 20 } });
    expect(d.message).toMatch(/^in .*parent\.r2u:2: unknown statement 'bacth'/);
    expect(d.relatedInformation).toEqual([{ location: { uri: pathToFileURL(join(dir, 'parent.r2u')).href, range: { start: { line: 1, character: 10 }, end: { line: 1, character: 15 } } }, message: expect.stringContaining('bacth') }]);
    expect(d.data).toBeUndefined();
    expect(d.codeDescription?.href).toMatch(/grammar\/REFERENCE\.md#code-unknown-key$/);
  });
});

describe('outline and folding', () => {
  it('lists the experiment, its blocks and statements, and folds blocks and long comments', () => {
    const { doc, analysis } = at(reference, join(specs, 'drive-r2unet-single.r2u'));
    const [experiment] = documentSymbols(doc, analysis.loaded.ast);
    expect(experiment.name).toBe('drive_r2unet');
    expect(experiment.children!.map((s) => s.name)).toEqual(['seed', 'data', 'model', 'train', 'eval']);
    const data = experiment.children!.find((s) => s.name === 'data')!;
    expect(data.children!.map((s) => s.name)).toContain('preprocess');
    const folds = foldingRanges(doc, analysis.loaded.ast);
    const modelLine = lineOf(reference, 'model r2unet') - 1;
    expect(folds).toContainEqual({ startLine: modelLine, endLine: modelLine + 6 });
    expect(folds).toContainEqual(expect.objectContaining({ startLine: 0, kind: 'comment' }));
  });
});
