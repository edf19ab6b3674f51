// @vitest-environment jsdom
// fonts.ts: system-ui is left out only where the engine does not know it.

import { afterEach, describe, expect, it, vi } from "vitest";
import { knowsSystemUi, skipUnknownSystemFont } from "../src/fonts";

/** A 2D context whose text is as wide as the first family it knows makes it. */
function engineKnowing(families: string[]): void {
  const context = {
    font: "",
    measureText(text: string) {
      const list = this.font.replace(/^\S+\s+/, "").split(",").map((f) => f.trim());
      const known = list.find((f) => families.includes(f)) ?? "monospace";
      return { width: text.length * (known === "monospace" ? 9.6 : 8.1) };
    },
  };
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(
    context as unknown as CanvasRenderingContext2D,
  );
}

afterEach(() => {
  vi.restoreAllMocks();
  delete document.documentElement.dataset["systemUi"];
});

describe("the page's font", () => {
  it("is asked without system-ui where the engine does not know it (WebKitGTK)", () => {
    engineKnowing(["monospace", "DejaVu Sans"]);
    expect(knowsSystemUi(document)).toBe(false);
    skipUnknownSystemFont(document);
    expect(document.documentElement.dataset["systemUi"]).toBe("unknown");
  });

  it("keeps system-ui where the engine knows it (WebView2)", () => {
    engineKnowing(["monospace", "system-ui"]);
    expect(knowsSystemUi(document)).toBe(true);
    skipUnknownSystemFont(document);
    expect(document.documentElement.hasAttribute("data-system-ui")).toBe(false);
  });

  it("keeps system-ui when the engine cannot tell", () => {
    vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(null);
    expect(knowsSystemUi(document)).toBeNull();
    skipUnknownSystemFont(document);
    expect(document.documentElement.hasAttribute("data-system-ui")).toBe(false);
  });
});
