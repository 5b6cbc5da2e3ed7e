// Where a configuration value comes from: this file, a parent spec it
// extends, or the defaults, read from the front end's map of spans.
import { basename } from 'node:path';
import type { Span } from '../compiler/index.js';
import type { Analysis } from './analysis.js';
import { spanFilePath } from './positions.js';

/** The span that set a path, or the first one that set a field inside it, or the one that set its container. */
export function winningSpan(analysis: Analysis, path: string): Span | undefined {
  const spans = analysis.loaded.spans;
  const exact = spans.get(path);
  if (exact) return exact;
  for (const [p, span] of spans) if (path === '' || p.startsWith(path + '.')) return span;
  for (let p = path; p.includes('.'); ) {
    p = p.slice(0, p.lastIndexOf('.'));
    const up = spans.get(p);
    if (up) return up;
  }
  return undefined;
}

/** "set here (line 12)", "inherited from drive-r2unet.r2u:31" or "default". */
export function originText(analysis: Analysis, path: string): string {
  const span = analysis.loaded.spans.get(path) ?? [...analysis.loaded.spans].find(([p]) => p.startsWith(path + '.'))?.[1];
  if (!span) return 'default';
  const file = spanFilePath(span.file);
  return file === analysis.path ? `set here (line ${span.line})` : `inherited from ${basename(file)}:${span.line}`;
}
