#!/usr/bin/env node
// Entry point of the `r2u` command: runs the TypeScript sources through tsx's
// loader so that the CLI, the compiler and generated modules share one code path.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
