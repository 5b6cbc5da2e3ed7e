/** true when `bundle` exists and is at least as new as every file under `sources` (absolute paths) */
export declare function bundleIsFresh(bundle: string, sources: readonly string[]): boolean;
