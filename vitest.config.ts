import { defineConfig } from "vitest/config";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Kernel and notebook suites start real processes (the kernel, Jupyter servers, Chromium) on a
// 2-core machine: files run one at a time so timings inside a test are not starved by a sibling.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The dataset cache of the tests' own: one left in ~/.cache/tsdl by anything else (a damaged
    // file, say) must not change what a test sees, and tests write nothing into the home folder.
    env: { TSDL_CACHE_DIR: join(tmpdir(), `tsdl-test-cache-${process.pid}`) },
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
