import { defineConfig, type Plugin } from "vite";

// The page is embedded in the app binary (tauri.conf.json: frontendDist "ui/dist") and
// served under a strict CSP: no inline scripts or styles, nothing remote.
export default defineConfig({
  base: "./",
  clearScreen: false,
  plugins: [scriptBeforeFirstPaint()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2021",
    // Keep every asset a file: the CSP allows img-src data: but nothing needs it.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    // One classic script (see scriptBeforeFirstPaint): no imports, nothing global.
    rollupOptions: { output: { format: "iife" } },
    // One stylesheet file: with an IIFE and split CSS, Vite would inject the styles from
    // the script as a <style> element, which the CSP (style-src 'self') refuses.
    cssCodeSplit: false,
  },
});

/**
 * The built page runs its script as a classic script at the end of <body>, not as a module
 * in <head>: WebKitGTK runs a module only after the first paint, so the loading screen was
 * painted, then the account screen from the last snapshot. Now the first paint is the
 * screen the page chose (issue 14: the customer ID about 25 ms sooner on the bench machine).
 */
function scriptBeforeFirstPaint(): Plugin {
  return {
    name: "script-before-first-paint",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html) {
        const entry = /\s*<script type="module" crossorigin src="([^"]+)"><\/script>/.exec(html);
        if (entry === null || !html.includes("</body>")) {
          throw new Error("index.html: no entry script or no </body> to move it before");
        }
        return html
          .replace(entry[0], "")
          .replace("</body>", `  <script src="${entry[1]}"></script>\n  </body>`);
      },
    },
  };
}
