// Draws editors/neovim-r2u.png for the README: neovim (with
// editors/neovim/r2u.lua) in a terminal, showing the diagnostics of a spec
// with mistakes and a completion menu, all from `r2u lsp`. Runs neovim in a
// detached tmux, captures the screen with its colours, and renders
// the cells as SVG, then PNG (sharp). Needs nvim and tmux.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';

const COLS = 118;
const ROWS = 30;
const OUT = 'editors/neovim-r2u.png';
const DEMO = `// A spec with mistakes, as r2u lsp reports them in neovim
experiment demo {
  seed 42
  data {
    dataset drive("data/DRIVE")
    patches 48 x 48, random 1000 per epoc
  }
  model r2unet { depht 3; filters 12 }
  train {
    optimizer adm(lr: 1e-3)
    loss
  }
}
`;

const dir = mkdtempSync(join(tmpdir(), 'r2u-shot-'));
writeFileSync(join(dir, 'demo.r2u'), DEMO);
const socket = `r2u-shot-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const server = JSON.stringify([process.execPath, resolve('bin/r2u.mjs'), 'lsp', '--stdio']).replace(/^\[/, '{').replace(/\]$/, '}');
const nvim = `nvim -u ${resolve('editors/neovim/r2u.lua')} -i NONE -n -c "set completeopt=menuone,noinsert,preview" -c "lua vim.diagnostic.config({ update_in_insert = true })" --cmd "lua vim.g.r2u_lsp_cmd = ${server.replace(/"/g, "'")}" demo.r2u`;

/** Waits until the screen shows `text`. */
function waitFor(text: string): void {
  for (let i = 0; i < 200; i++) {
    if (tmux('capture-pane', '-p', '-t', 'shot').includes(text)) return;
    execFileSync('sleep', ['0.1']);
  }
  throw new Error(`the screen never showed ${JSON.stringify(text)}:\n${tmux('capture-pane', '-p', '-t', 'shot')}`);
}

// ---------------------------------------------------------------- ANSI → SVG

interface Cell { ch: string; fg: string; bg: string; bold: boolean }

const BASE16 = ['#000000', '#cd0000', '#00cd00', '#cdcd00', '#0000ee', '#cd00cd', '#00cdcd', '#e5e5e5', '#7f7f7f', '#ff0000', '#00ff00', '#ffff00', '#5c5cff', '#ff00ff', '#00ffff', '#ffffff'];
const FG = '#d0d0d0';
const BG = '#1c1c1c';

function xterm256(n: number): string {
  if (n < 16) return BASE16[n];
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

/** The terminal's cells, from text with SGR colour sequences (what tmux capture-pane -e prints). */
function cells(screen: string): Cell[][] {
  let fg = FG;
  let bg = BG;
  let bold = false;
  let reverse = false;
  return screen.split('\n').slice(0, ROWS).map((line) => {
    const row: Cell[] = [];
    for (let i = 0; i < line.length; i++) {
      const m = /^\u001b\[([0-9;]*)m/.exec(line.slice(i));
      if (m) {
        const codes = m[1] === '' ? [0] : m[1].split(';').map(Number);
        for (let k = 0; k < codes.length; k++) {
          const c = codes[k];
          if (c === 0) [fg, bg, bold, reverse] = [FG, BG, false, false];
          else if (c === 1) bold = true;
          else if (c === 22) bold = false;
          else if (c === 7) reverse = true;
          else if (c === 27) reverse = false;
          else if (c >= 30 && c <= 37) fg = BASE16[c - 30];
          else if (c >= 90 && c <= 97) fg = BASE16[c - 90 + 8];
          else if (c >= 40 && c <= 47) bg = BASE16[c - 40];
          else if (c >= 100 && c <= 107) bg = BASE16[c - 100 + 8];
          else if (c === 39) fg = FG;
          else if (c === 49) bg = BG;
          else if ((c === 38 || c === 48) && codes[k + 1] === 5) {
            (c === 38 ? (fg = xterm256(codes[k + 2])) : (bg = xterm256(codes[k + 2])));
            k += 2;
          } else if ((c === 38 || c === 48) && codes[k + 1] === 2) {
            const rgb = `rgb(${codes[k + 2]},${codes[k + 3]},${codes[k + 4]})`;
            (c === 38 ? (fg = rgb) : (bg = rgb));
            k += 4;
          }
        }
        i += m[0].length - 1;
        continue;
      }
      row.push({ ch: line[i], fg: reverse ? bg : fg, bg: reverse ? fg : bg, bold });
    }
    while (row.length < COLS) row.push({ ch: ' ', fg, bg: BG, bold: false });
    return row;
  });
}

function ansiToSvg(screen: string): string {
  const W = 9;
  const H = 18;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const parts: string[] = [`<rect width="100%" height="100%" fill="${BG}"/>`];
  cells(screen).forEach((row, y) => {
    // runs of cells with the same colours become one rect and one text
    for (let x = 0; x < row.length; ) {
      let end = x;
      while (end < row.length && row[end].fg === row[x].fg && row[end].bg === row[x].bg && row[end].bold === row[x].bold) end++;
      const text = row.slice(x, end).map((c) => c.ch).join('');
      if (row[x].bg !== BG) parts.push(`<rect x="${x * W}" y="${y * H}" width="${(end - x) * W}" height="${H}" fill="${row[x].bg}"/>`);
      if (text.trim()) parts.push(`<text x="${x * W}" y="${y * H + 14}" fill="${row[x].fg}"${row[x].bold ? ' font-weight="bold"' : ''} textLength="${(end - x) * W}" lengthAdjust="spacingAndGlyphs" xml:space="preserve">${esc(text)}</text>`);
      x = end;
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${COLS * W}" height="${ROWS * H}" font-family="DejaVu Sans Mono, monospace" font-size="15">${parts.join('')}</svg>`;
}

async function main(): Promise<void> {
  try {
    tmux('new-session', '-d', '-s', 'shot', '-x', String(COLS), '-y', String(ROWS), '-c', dir, `TERM=tmux-256color ${nvim}`);
    waitFor("unknown optimizer");
    tmux('send-keys', '-t', 'shot', ':11', 'Enter', 'A', ' ', 'C-x', 'C-o');
    waitFor('weighted_bce Function');
    const screen = tmux('capture-pane', '-p', '-e', '-t', 'shot');
    writeFileSync(join(dir, 'screen.ansi'), screen);
    await sharp(Buffer.from(ansiToSvg(screen))).png().toFile(OUT);
    console.log(`wrote ${OUT}`);
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
  }
}

await main();
