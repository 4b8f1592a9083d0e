// Builds into the Python package, which serves the files (`leonet dashboard`); the folder is
// git-ignored and `make web` fills it. Relative asset paths: the app also runs under a prefix.
// Two pages: the globe (index.html, `leonet dashboard`) and the operator's console
// (console.html, served by `leonet serve` at /dashboard/).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  base: "./",
  build: {
    outDir: "../src/leonet/server/dashboard/static",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL("index.html", import.meta.url)),
        console: fileURLToPath(new URL("console.html", import.meta.url)),
      },
    },
  },
  test: { include: ["tests/**/*.test.ts"] },
});
