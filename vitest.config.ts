import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Builds dist/ when it is stale and points every test process's rule cache at a temp folder (issue 18).
    globalSetup: ["test/setup/build.ts"],
    // A missing golden file or snapshot fails the run instead of being written (vitest writes new ones unless CI is
    // set, and .ci/run does not set it). Write or update them on purpose: `npx vitest run -u`.
    update: "none",
  },
});
