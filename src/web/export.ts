// `r2u export-web` and `r2u serve`: the browser page as a static folder, and
// a local server for it.
//
//   index.html, page.js      the page, page.ts bundled by esbuild
//   tfjs-backend-wasm*.wasm  the wasm backend's binaries (used when webgl is absent)
//   model/                   the checkpoint: model.json, weights.bin, spec.json, preprocess.json;
//                            an ensemble's: ensemble.json, spec.json, preprocess.json, members/<i>/
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveCheckpointDir } from '../runtime/run/checkpoint.js';
import { isEnsembleDir, MEMBER_FILES, readEnsemble } from '../runtime/run/ensemble.js';
import { ENSEMBLE_JSON, MODEL_JSON, WEIGHTS_BIN } from '../runtime/run/model-io.js';
import { RunError } from '../runtime/run/errors.js';
import { exists, RUN_FILES } from '../runtime/run/folder.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The model folder's files the page reads, relative to it: a checkpoint's (those an ensemble keeps of each member), or an ensemble's and its members' models. */
async function modelFiles(checkpoint: string): Promise<string[]> {
  if (!(await isEnsembleDir(checkpoint))) return [...MEMBER_FILES];
  const { members } = await readEnsemble(checkpoint);
  return [ENSEMBLE_JSON, RUN_FILES.spec, RUN_FILES.preprocess, ...members.flatMap((m) => [join(m, MODEL_JSON), join(m, WEIGHTS_BIN)])];
}

export async function exportWeb(target: string, out: string): Promise<{ checkpoint: string; files: string[] }> {
  const checkpoint = await resolveCheckpointDir(target);
  const files = await modelFiles(checkpoint);
  for (const f of files) if (!(await exists(join(checkpoint, f)))) throw new RunError(`${checkpoint}: no ${f}; the page needs ${files.join(', ')}`);
  await mkdir(join(out, 'model'), { recursive: true });
  await build({
    entryPoints: [join(HERE, 'page.ts')],
    outfile: join(out, 'page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    // the wasm backend's Emscripten glue names Node modules it only loads under Node
    external: ['fs', 'path', 'os', 'crypto', 'worker_threads', 'perf_hooks'],
    logLevel: 'warning',
  });
  await copyFile(join(HERE, 'index.html'), join(out, 'index.html'));
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  const wasm = (await readdir(wasmDir)).filter((f) => f.endsWith('.wasm'));
  for (const f of wasm) await copyFile(join(wasmDir, f), join(out, f));
  for (const f of files) {
    await mkdir(dirname(join(out, 'model', f)), { recursive: true });
    await copyFile(join(checkpoint, f), join(out, 'model', f));
  }
  return { checkpoint, files: ['index.html', 'page.js', ...wasm, ...files.map((f) => `model/${f}`)] };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
};

/** Serves a folder; cross-origin isolated, so the wasm backend may use threads. */
export function serveFolder(root: string, port: number, host = '127.0.0.1'): Promise<Server> {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const path = normalize(join(base, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith(sep) || path === base ? join(path, 'index.html') : path;
    if (!file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'require-corp',
        });
        res.end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok(server));
  });
}
