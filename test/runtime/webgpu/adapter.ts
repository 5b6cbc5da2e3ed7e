// Whether the WebGPU tests can run here. They need a WebGPU adapter (on a
// machine without a GPU: Mesa's software Vulkan driver llvmpipe). Elsewhere
// they are skipped with the reason printed; where the adapter is required
// (CI sets R2U_REQUIRE_WEBGPU=1 or R2U_REQUIRE_SYSTEM=1) its absence fails.
import { it } from 'vitest';
import { initBackend, type BackendInfo } from '../../../src/runtime/backend.js';

export const webGpuRequired = process.env.R2U_REQUIRE_WEBGPU === '1' || process.env.R2U_REQUIRE_SYSTEM === '1';

/** The webgpu backend (forced, so a software adapter serves), or null with the reason printed. */
export async function webGpuOrSkip(what: string): Promise<BackendInfo | null> {
  try {
    return await initBackend('webgpu');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (webGpuRequired) {
      it(`has a WebGPU adapter (required by R2U_REQUIRE_WEBGPU / R2U_REQUIRE_SYSTEM) for ${what}`, () => {
        throw new Error(reason);
      });
    } else {
      console.log(`skipping ${what}: ${reason}`);
    }
    return null;
  }
}
