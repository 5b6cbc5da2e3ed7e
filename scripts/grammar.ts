// Writes grammar/REFERENCE.md and grammar/diagrams.html (see src/compiler/docs.ts).
import { writeFileSync } from 'node:fs';
import { renderDiagrams, renderReference } from '../src/compiler/docs.js';

writeFileSync('grammar/REFERENCE.md', renderReference());
writeFileSync('grammar/diagrams.html', renderDiagrams());
console.log('wrote grammar/REFERENCE.md and grammar/diagrams.html');
