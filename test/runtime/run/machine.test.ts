import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { cpuGeneration, machineLine } from '../../../src/runtime/run/machine.js';

describe('machineLine: the CPU a record was measured on', () => {
  it('reads the x86 family and model from /proc/cpuinfo, and nothing where they are absent', () => {
    const amd = 'processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\n';
    expect(cpuGeneration(amd)).toBe('family 26 model 2');
    // `model name` must not be taken for `model`
    expect(cpuGeneration('cpu family\t: 6\nmodel name\t: Intel Xeon\n')).toBeNull();
    expect(cpuGeneration('processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n')).toBeNull();
  });

  it('names the cores, the CPU with its generation where the system gives it, the memory and Node', () => {
    const line = machineLine();
    expect(line).toMatch(/^\d+ × .+, \d+ GiB, Node v\d+/);
    const generation = existsSync('/proc/cpuinfo') ? cpuGeneration(readFileSync('/proc/cpuinfo', 'utf8')) : null;
    if (generation !== null) expect(line).toContain(`(${generation}),`);
  });
});
