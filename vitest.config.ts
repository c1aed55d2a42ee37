import { defineConfig } from "vitest/config";

// Kernel and notebook suites start real processes (the kernel, Jupyter servers, Chromium) on a
// 2-core machine: files run one at a time so timings inside a test are not starved by a sibling.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
