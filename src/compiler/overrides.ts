// `--set path=value`: command-line overrides of the resolved configuration.
// Each value is read according to the type of what it replaces, then the whole
// configuration is validated again exactly like a file.
import type { Assignment, Path } from './resolve.js';
import { LOSS_DEFAULTS, OPTIMIZER_DEFAULTS, SCHEDULE_DEFAULTS } from '../spec/defaults.js';
import { error, type Diagnostic } from './diagnostics.js';
import { registerSource, SourceFile, type Span } from './source.js';
import { suggest } from './suggest.js';

const VARIANTS: Record<string, Record<string, object>> = {
  'train.loss': LOSS_DEFAULTS,
  'train.optimizer': OPTIMIZER_DEFAULTS,
  'train.schedule': SCHEDULE_DEFAULTS,
};
const EARLY_STOP_DEFAULTS = { monitor: 'val_loss', patience: 5, restore_best: true };

/**
 * Turns `--set` arguments into assignments against `config` (the configuration
 * they will apply to). Each argument becomes its own pseudo-file `--set #n` so
 * diagnostics can show it with a caret.
 */
export function parseOverrides(config: unknown, sets: readonly string[]): { assignments: Assignment[]; diagnostics: Diagnostic[] } {
  const assignments: Assignment[] = [];
  const diagnostics: Diagnostic[] = [];
  sets.forEach((arg, n) => {
    const file = `--set #${n + 1}`;
    const src = new SourceFile(file, arg);
    registerSource(file, arg);
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      diagnostics.push(error('override', `expected path=value, found '${arg}'`, src.span(0, Math.max(1, arg.length)), { expected: 'e.g. train.optimizer.lr=5e-4' }));
      return;
    }
    const pathText = arg.slice(0, eq).trim();
    const valueText = arg.slice(eq + 1).trim();
    const valueSpan = src.span(eq + 1, Math.max(1, arg.length - eq - 1));
    const path: (string | number)[] = [];
    let cur: unknown = config;
    let offset = 0;
    for (const seg of pathText.split('.')) {
      const segSpan = src.span(offset, Math.max(1, seg.length));
      offset += seg.length + 1;
      if (Array.isArray(cur) && /^\d+$/.test(seg) && Number(seg) < cur.length) {
        path.push(Number(seg));
        cur = cur[Number(seg)];
        continue;
      }
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !(seg in cur)) {
        const keys = cur && typeof cur === 'object' ? Object.keys(cur) : [];
        diagnostics.push(
          error('override', `unknown setting '${[...path, seg].join('.')}'`, segSpan, {
            expected: keys.length ? `one of ${keys.join(', ')}` : Array.isArray(cur) ? `an index below ${cur.length}` : undefined,
            suggestion: suggest(seg, keys),
          }),
        );
        return;
      }
      path.push(seg);
      cur = (cur as Record<string, unknown>)[seg];
    }
    const result = readValue(path, cur, valueText, valueSpan);
    if ('error' in result) diagnostics.push(result.error);
    else assignments.push(...result.assignments);
  });
  return { assignments, diagnostics };
}

function readValue(path: Path, current: unknown, text: string, span: Span): { assignments: Assignment[] } | { error: Diagnostic } {
  const dotted = path.join('.');
  const set = (value: unknown): { assignments: Assignment[] } => ({ assignments: [{ op: 'set', path, value, span }] });
  const bad = (expected: string) => ({ error: error('override', `'${dotted}' expects ${expected}, found '${text}'`, span, { expected }) });
  // switching a variant (`--set train.loss=focal` or `--set train.loss.kind=focal`) starts from its defaults
  const variantPath = path.at(-1) === 'kind' ? path.slice(0, -1).join('.') : dotted;
  const table = VARIANTS[variantPath];
  if (table) {
    if (!(text in table)) return { error: error('override', `unknown variant '${text}' for ${variantPath}`, span, { expected: `one of ${Object.keys(table).join(', ')}`, suggestion: suggest(text, Object.keys(table)) }) };
    return { assignments: [{ op: 'switch', path: variantPath.split('.'), field: 'kind', value: text, defaults: table[text], span }] };
  }
  if (dotted === 'train.early_stop' && (current === null || typeof current === 'object')) {
    if (['off', 'none', 'null'].includes(text)) return set(null);
    return { assignments: [{ op: 'ensure', path, defaults: EARLY_STOP_DEFAULTS, span }, { op: 'set', path: [...path, 'monitor'], value: text, span }] };
  }
  if (typeof current === 'number') {
    const v = Number(text);
    return text !== '' && Number.isFinite(v) ? set(v) : bad('a number');
  }
  if (typeof current === 'boolean') {
    if (['true', 'on', 'yes'].includes(text)) return set(true);
    if (['false', 'off', 'no'].includes(text)) return set(false);
    return bad('true or false');
  }
  if (typeof current === 'string') return set(text.replace(/^"(.*)"$/, '$1'));
  if (Array.isArray(current) && current.length === 2 && current.every((x) => typeof x === 'number') && /size|stride|tiles/.test(String(path.at(-1)))) {
    const m = /^(\d+)\s*[x×,]\s*(\d+)$/.exec(text) ?? /^(\d+)$/.exec(text);
    return m ? set([Number(m[1]), Number(m[2] ?? m[1])]) : bad('a size H x W, e.g. 64x64');
  }
  if (Array.isArray(current)) {
    if (path.at(-1) === 'preprocess') return bad('individual ops (e.g. data.preprocess.0.clip=3); change the list in a spec');
    return set(text === '' ? [] : text.split(',').map((s) => s.trim()));
  }
  return bad(`a value of a field inside it (${Object.keys(current ?? {}).join(', ')})`);
}
