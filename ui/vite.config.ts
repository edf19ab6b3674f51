import { defineConfig } from "vite";

// The page is embedded in the app binary (tauri.conf.json: frontendDist "ui/dist") and
// served under a strict CSP: no inline scripts or styles, nothing remote.
export default defineConfig({
  base: "./",
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2021",
    // Keep every asset a file: the CSP allows img-src data: but nothing needs it.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
