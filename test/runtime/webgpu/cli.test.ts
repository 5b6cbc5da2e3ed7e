// The webgpu backend through the real commands: a short quickstart from its
// generated module, r2u eval and predict on its run, r2u bench on a tiny
// spec, auto leaving a software adapter alone, and the message when Vulkan
// has no driver.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/runtime/backend.js';
import { SPEC, writeEyeImage } from '../../cli/cli-fixtures.js';
import { webGpuOrSkip } from './adapter.js';

const webgpu = await webGpuOrSkip('the WebGPU command tests');

const BIN = join(process.cwd(), 'bin', 'r2u.mjs');
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
// asynchronous: a synchronous child blocks the test worker for minutes on llvmpipe, and vitest gives up on it
const run = (command: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = execFile(command, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600_000, maxBuffer: 64 << 20 }, (_e, out, err) =>
      resolve({ code: child.exitCode, out, err }),
    );
  });
const r2u = (...args: string[]) => run(process.execPath, [BIN, ...args]);


let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'r2u-webgpu-cli-'));
  await writeFile(join(dir, 'tiny.r2u'), SPEC);
  await writeEyeImage(join(dir, 'eye.png'));
});

describe.skipIf(webgpu === null)('commands on --backend webgpu', () => {
  it('a short quickstart from its generated module (backend.json names the adapter), then r2u eval and predict on it', async () => {
    const out = join(dir, 'quickstart');
    const sets = ['train.epochs=1', 'train.early_stop.patience=1', 'data.patches.per_epoch=32'].flatMap((s) => ['--set', s]);
    const r = await run(TSX, ['generated/quickstart.ts', '--backend', 'webgpu', '--out', out, ...sets]);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/backend: webgpu \(Dawn, /);
    expect(r.out).toMatch(/gradients: this thread/);
    expect(r.out).toMatch(/^\s+1 \|/m);
    const recorded = JSON.parse(await readFile(join(out, 'backend.json'), 'utf8'));
    expect(recorded.name).toBe('webgpu');
    expect(recorded.adapter).toMatchObject({ vendor: webgpu?.adapter?.vendor, description: webgpu?.adapter?.description });

    const ev = await r2u('eval', out, '--split', 'val', '--format', 'json', '--backend', 'webgpu');
    expect(ev.code, ev.err).toBe(0);
    expect(JSON.parse(ev.out).configured.mean.auc).toBeGreaterThan(0);
    const maps = join(dir, 'maps');
    const pr = await r2u('predict', out, join(dir, 'eye.png'), '--out', maps, '--backend', 'webgpu');
    expect(pr.code, pr.err).toBe(0);
    expect(pr.out + pr.err).toMatch(/backend: webgpu/);
    expect((await readdir(maps)).sort()).toEqual(['eye.png', 'eye_mask.png']);
  }, 900_000);

  it('r2u bench --json names the backend and the adapter', async () => {
    const r = await r2u('bench', join(dir, 'tiny.r2u'), '--backend', 'webgpu', '--json', '--steps', '1', '--warmup', '1');
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.backend).toBe('webgpu');
    expect(result.adapter.description).toBe(webgpu?.adapter?.description);
    expect(result.trainPatchesPerSec).toBeGreaterThan(0);
    expect(result.inferImageSeconds).toBeGreaterThan(0);
  }, 600_000);

  it.runIf(webgpu?.adapter?.software === true)('auto does not take a software adapter', async () => {
    expect((await initBackend('auto')).name).not.toBe('webgpu');
  });
});

describe.runIf(process.platform === 'linux')('webgpu without a Vulkan driver', () => {
  it('r2u train --backend webgpu says why and how to fix it, without a stack trace', async () => {
    // the Vulkan loader reads its driver list from these instead of the system's
    const nowhere = join(dir, 'no-such-driver.json');
    const none = await run(process.execPath, [BIN, 'train', join(dir, 'tiny.r2u'), '--out', join(dir, 'never'), '--backend', 'webgpu'], {
      VK_ICD_FILENAMES: nowhere,
      VK_DRIVER_FILES: nowhere,
    });
    expect(none.code).toBe(3);
    expect(none.err).toMatch(/backend 'webgpu' is not available/);
    expect(none.err).toMatch(/Vulkan (loader found no driver|loader \(libvulkan\.so\.1\))/);
    expect(none.err).toMatch(/apt-get install/);
    // Dawn prints its own C++ source line (".cpp:N"); no JavaScript stack trace may follow
    expect(none.err).not.toMatch(/\n\s+at .*\.[cm]?[jt]s:\d+/);
  }, 120_000);
});
