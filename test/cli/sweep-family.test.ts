// A trial's state as the family folder records it: a trial recorded as
// running whose process on this machine is gone reads as stopped, so that
// `sweep status` does not report a killed trial as training and `sweep run`
// trains it again.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readState } from '../../src/cli/sweep-family.js';

const out = mkdtempSync(join(tmpdir(), 'r2u-family-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function recordRunning(alias: string, host: string, pid: number): void {
  mkdirSync(join(out, 'state'), { recursive: true });
  writeFileSync(join(out, 'state', `${alias}.json`), JSON.stringify({ status: 'running', attempts: 1, host, pid }));
}

describe('readState', () => {
  it('reads a running trial whose process is gone as stopped, and one it cannot ask after as running', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    recordRunning('killed', hostname(), gone);
    expect(await readState(out, 'killed')).toMatchObject({ status: 'stopped', attempts: 1 });
    recordRunning('alive', hostname(), process.pid);
    expect((await readState(out, 'alive')).status).toBe('running');
    recordRunning('elsewhere', `not-${hostname()}`, gone);
    expect((await readState(out, 'elsewhere')).status).toBe('running');
    expect(await readState(out, 'never-started')).toEqual({ status: 'pending', attempts: 0 });
  });
});
