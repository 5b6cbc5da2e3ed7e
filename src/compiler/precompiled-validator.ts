// The experiment schema's validator, compiled ahead of time. In the sources it
// is absent and validate.ts compiles the schema with ajv on first use (~140 ms,
// measured: half of `r2u check`'s start-up). scripts/build.mjs replaces this
// module in the dist/ bundle with ajv's standalone code for EXPERIMENT_SCHEMA,
// generated from the same sources in the same build, so it cannot go stale.
import type { ValidateFunction } from 'ajv/dist/2020.js';

export const precompiledValidator: ValidateFunction | undefined = undefined;
