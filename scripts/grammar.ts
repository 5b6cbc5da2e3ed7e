// Writes grammar/REFERENCE.md and grammar/diagrams.html (see src/compiler/docs.ts)
// and the TextMate grammar of the VS Code extension (src/compiler/textmate.ts).
import { writeFileSync } from 'node:fs';
import { renderDiagrams, renderReference } from '../src/compiler/docs.js';
import { renderTextMateGrammar } from '../src/compiler/textmate.js';

writeFileSync('grammar/REFERENCE.md', renderReference());
writeFileSync('grammar/diagrams.html', renderDiagrams());
writeFileSync('editors/vscode/syntaxes/r2u.tmLanguage.json', renderTextMateGrammar());
console.log('wrote grammar/REFERENCE.md, grammar/diagrams.html and editors/vscode/syntaxes/r2u.tmLanguage.json');
