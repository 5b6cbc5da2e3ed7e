// Quick fixes: each diagnostic that carries a did-you-mean (in `data`, never
// read back from the message) offers to write the suggestion in its place.
import { CodeActionKind, type CodeAction, type CodeActionParams } from 'vscode-languageserver';
import type { FixData } from './diagnostics.js';

export function quickFixes(params: CodeActionParams): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const d of params.context.diagnostics) {
    const data = d.data as Partial<FixData> | undefined;
    if (d.source !== 'r2u' || typeof data?.suggestion !== 'string') continue;
    actions.push({
      title: `Change to '${data.suggestion}'`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      isPreferred: true,
      edit: { changes: { [params.textDocument.uri]: [{ range: d.range, newText: data.suggestion }] } },
    });
  }
  return actions;
}
