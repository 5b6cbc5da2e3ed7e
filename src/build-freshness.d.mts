/** true when `output` exists and is at least as new as every file under `sources` (absolute paths) */
export declare function buildIsFresh(output: string, sources: readonly string[]): boolean;
