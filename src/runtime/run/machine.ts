// The machine a run or a benchmark ran on, in one line: figures from two CPUs
// differ in their rounding, so every record names its CPU. A model name such
// as "AMD EPYC" can stand for several generations (a Zen 4 and a Zen 5 train
// at twice each other's speed), so x86 Linux adds the CPU family and model.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** `family F model M` from /proc/cpuinfo's text, or null where it has neither (non-x86, other systems). */
export function cpuGeneration(cpuinfo: string): string | null {
  const family = /^cpu family\s*:\s*(\d+)/m.exec(cpuinfo)?.[1];
  const model = /^model\s*:\s*(\d+)/m.exec(cpuinfo)?.[1];
  return family !== undefined && model !== undefined ? `family ${family} model ${model}` : null;
}

function readCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const generation = cpuGeneration(readCpuinfo());
  return `${cpus().length} × ${cpu}${generation === null ? '' : ` (${generation})`}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}
