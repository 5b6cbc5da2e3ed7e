// `r2u lsp --stdio` as a process, spoken to over JSON-RPC with the protocol
// package's client side: the life of a connection, and robustness against bad
// requests and the fuzz tests' inputs sent as edits.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, Hover, MarkupContent, TextEdit } from 'vscode-languageserver-protocol';
import { startClient, type Client } from './client.js';

const reference = readFileSync('specs/drive-r2unet-single.r2u', 'utf8');
const mistakes = 'experiment t {\n  sed 1\n  model r2unet { depht 3 }\n  train { optimizer adm(lr: 1e-3) }\n}\n';

describe('r2u lsp --stdio', () => {
  let client: Client;
  beforeAll(async () => {
    client = await startClient();
  });
  afterAll(async () => {
    if (client.process.exitCode === null) client.process.kill();
  });

  it('reports a spec with three mistakes as three located diagnostics, of the version sent', async () => {
    const uri = client.open(resolve('specs/three-mistakes.r2u'), mistakes, 7);
    const diagnostics = await client.diagnostics(uri, 7);
    expect(diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character, d.range.end.character])).toEqual([
      ['unknown-key', 1, 2, 5],
      ['unknown-key', 2, 17, 22],
      ['unknown-value', 3, 20, 23],
    ]);
    client.change(uri, mistakes.replace('sed', 'seed'), 8);
    expect(await client.diagnostics(uri, 8)).toHaveLength(2);
  });

  it('answers completion, hover and formatting', async () => {
    const uri = client.open(resolve('specs/requests.r2u'), 'experiment t {\n  train { optimizer  }\n}\n');
    const items = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 20 } })) as CompletionItem[];
    expect(items.map((i) => i.label)).toEqual(['adam', 'adamw', 'sgd']);
    const h = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 5 } })) as Hover;
    expect((h.contents as MarkupContent).value).toContain('Loss, optimizer, schedule');
    const messy = client.open(resolve('specs/messy.r2u'), 'experiment t {\n  train { batch 8;epochs 2 }\n}\n');
    const edits = (await client.connection.sendRequest('textDocument/formatting', { textDocument: { uri: messy }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
    expect(edits.map((e) => e.newText)).toEqual(['experiment t {\n  train {\n    batch 8\n    epochs 2\n  }\n}\n']);
  });

  it('answers a request that fails with an error and keeps serving', async () => {
    const uri = client.open(resolve('specs/robust.r2u'), reference);
    await expect(client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: null })).rejects.toThrow(/hover failed/);
    const seedLine = reference.split('\n').findIndex((l) => l.trim().startsWith('seed '));
    const h = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: seedLine, character: 3 } })) as Hover;
    expect((h.contents as MarkupContent).value).toContain('Seed of every random choice');
    expect(client.stderr()).toMatch(/r2u lsp: hover failed/);
  });

  it('survives random and mutated specs sent as edits, answering requests at random places', async () => {
    const uri = client.open(resolve('specs/fuzzed.r2u'), reference, 1);
    const logged = client.stderr().length;
    const fragments = ['{', '}', '(', ')', ',', ';', ':', '\n', '"', "'", '/*', '*/', '//', '48 x 48', 'extends "', 'adam(', 'lr:', '\u00e9', '\u0000'];
    const texts = fc.sample(
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.array(fc.record({ at: fc.nat(reference.length), del: fc.nat(12), ins: fc.constantFrom('', ...fragments) }), { minLength: 1, maxLength: 4 }).map((muts) => {
          let text = reference;
          for (const m of muts) text = text.slice(0, m.at) + m.ins + text.slice(m.at + m.del);
          return text;
        }),
      ),
      { numRuns: 150, seed: 15 },
    );
    let version = 1;
    for (const text of texts) {
      client.change(uri, text, ++version);
      const lines = text.split('\n');
      const line = version % lines.length;
      const position = { line, character: version % (lines[line].length + 1) };
      for (const method of ['textDocument/completion', 'textDocument/hover', 'textDocument/definition']) {
        await client.connection.sendRequest(method, { textDocument: { uri }, position });
      }
      await client.connection.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
      await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
    }
    // every edit superseded the one before; the last one is published, and nothing failed
    await client.diagnostics(uri, version);
    expect(client.stderr().slice(logged)).toBe('');
  });

  it("re-checks a spec when the spec it extends changes in the editor, and when that one is closed", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r2u-lsp-'));
    const parentText = 'experiment p {\n  train { batch 4 }\n}\n';
    writeFileSync(join(dir, 'parent.r2u'), parentText);
    const child = client.open(join(dir, 'child.r2u'), 'extends "parent.r2u"\nexperiment c {\n  seed 1\n}\n', 1);
    expect(await client.diagnostics(child, 1)).toEqual([]);
    const opened = client.diagnostics(child, undefined); // opening the parent re-checks it too
    const parent = client.open(join(dir, 'parent.r2u'), parentText, 1);
    expect(await opened).toEqual([]);
    const recheck = client.diagnostics(child, undefined);
    client.change(parent, parentText.replace('batch', 'bacth'), 2);
    const [d] = await recheck;
    expect([d.code, d.range.start, d.relatedInformation?.[0].location.uri]).toEqual(['unknown-key', { line: 0, character: 8 }, pathToFileURL(join(dir, 'parent.r2u')).href]);
    const back = client.diagnostics(child, undefined);
    client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: parent } });
    expect(await back).toEqual([]); // the file on disk has no mistake
  });

  it('clears diagnostics on close and shuts down cleanly', async () => {
    const uri = client.open(resolve('specs/closing.r2u'), 'experiment t {\n  sed 1\n}\n', 3);
    expect(await client.diagnostics(uri, 3)).toHaveLength(1);
    const cleared = client.diagnostics(uri, undefined);
    client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    expect(await cleared).toEqual([]);
    expect(await client.stop()).toBe(0);
  });
});
