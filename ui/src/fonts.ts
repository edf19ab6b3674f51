// The page's font on an engine that does not know `system-ui`.
//
// styles.css starts its font list with system-ui: WebView2 (Windows) finds Segoe UI there
// at once. WebKitGTK (Linux) does not know it, and asks fontconfig for it in vain for
// every size and weight of the first layout: measured, about 40 ms of the first paint on
// the bench machine (issue 14). Where the engine does not know it, the page says so on
// <html> and styles.css lists the other families alone: the font shown is the same.

/** Whether `system-ui` names a font in this engine; null when it cannot tell. */
export function knowsSystemUi(doc: Document): boolean | null {
  let context: CanvasRenderingContext2D | null | undefined;
  try {
    context = doc.createElement("canvas").getContext("2d");
  } catch {
    return null;
  }
  if (!context) {
    return null;
  }
  // An unknown first family falls back to the next one: here, a monospace font, whose
  // width no proportional system font has.
  const sample = "Compte client 0123456789";
  context.font = "16px monospace";
  const fallback = context.measureText(sample).width;
  context.font = "16px system-ui, monospace";
  return context.measureText(sample).width !== fallback;
}

/** Marks <html> when the engine does not know `system-ui` (styles.css then skips it). */
export function skipUnknownSystemFont(doc: Document): void {
  if (knowsSystemUi(doc) === false) {
    doc.documentElement.dataset["systemUi"] = "unknown";
  }
}
