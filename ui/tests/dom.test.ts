// @vitest-environment jsdom
// dom.ts: the gestures every screen repeats.

import { describe, expect, it } from "vitest";
import { closeModal, hidePassword, markInvalid, openModal, wireRevealBoxes } from "../src/dom";
import { $, loadPage } from "./fixtures";

describe("the page's small gestures", () => {
  it("'Show the password' shows it as text, and hiding unticks the box", () => {
    loadPage();
    wireRevealBoxes(document);
    const password = $("#dialog-password") as HTMLInputElement;
    const box = $('input.reveal[data-reveals="dialog-password"]') as HTMLInputElement;
    box.click();
    expect(password.type).toBe("text");
    box.click();
    expect(password.type).toBe("password");
    box.click();
    hidePassword(password);
    expect(password.type).toBe("password");
    expect(box.checked).toBe(false);
  });

  it("marks an input invalid, and no longer", () => {
    loadPage();
    const input = $("#link-email") as HTMLInputElement;
    markInvalid(input, true);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    markInvalid(input, false);
    expect(input.hasAttribute("aria-invalid")).toBe(false);
  });

  it("opens and closes a dialog", () => {
    loadPage();
    const dialog = $("#unlink-dialog") as HTMLDialogElement;
    openModal(dialog);
    expect(dialog.hasAttribute("open")).toBe(true);
    closeModal(dialog);
    expect(dialog.hasAttribute("open")).toBe(false);
    closeModal(dialog);
    expect(dialog.hasAttribute("open")).toBe(false);
  });
});
