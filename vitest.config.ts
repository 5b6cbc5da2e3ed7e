import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // training tests are CPU-heavy; run files one at a time on a 2-core machine
    fileParallelism: false,
  },
});
