// Builds into the Python package, which serves the files (`leonet dashboard`); the folder is
// git-ignored and `make web` fills it. Relative asset paths: the app also runs under a prefix.
import { defineConfig } from "vitest/config";

export default defineConfig({
  base: "./",
  build: {
    outDir: "../src/leonet/server/dashboard/static",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  test: { include: ["tests/**/*.test.ts"] },
});
