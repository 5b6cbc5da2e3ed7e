// What can be checked of the VS Code extension without VS Code: its manifest
// points at files that exist and agree with each other, and its client builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = 'editors/vscode';
const json = (path: string) => JSON.parse(readFileSync(join(dir, path), 'utf8'));

describe('the VS Code extension', () => {
  it('registers .r2u files with the grammar, the language configuration and the server command', () => {
    const manifest = json('package.json');
    const [language] = manifest.contributes.languages;
    expect(language).toMatchObject({ id: 'r2u', extensions: ['.r2u'] });
    const config = json(language.configuration);
    expect(config.comments).toEqual({ lineComment: '//', blockComment: ['/*', '*/'] });
    const [grammar] = manifest.contributes.grammars;
    expect(grammar.language).toBe('r2u');
    expect(json(grammar.path).scopeName).toBe(grammar.scopeName);
    expect(manifest.contributes.configuration.properties['r2u.server.command'].default.slice(-3)).toEqual(['r2u', 'lsp', '--stdio']);
    // the client's engine matches the API it is typed against
    const root = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(manifest.engines.vscode).toBe(`^${root.devDependencies['@types/vscode']}`);
  });

  it('builds its client with npm run build:vscode', () => {
    const r = spawnSync(process.execPath, ['scripts/build-vscode.mjs'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const bundle = readFileSync(join(dir, json('package.json').main), 'utf8');
    expect(bundle).toContain('require("vscode")');
    expect(bundle).toContain('r2u language server');
    expect(existsSync(join(dir, 'out', 'extension.js'))).toBe(true);
  });
});
