// @vitest-environment jsdom
// page.ts: the words on show follow the language, the notice, one screen at a time, one
// request at a time.

import { describe, expect, it } from "vitest";
import { $, focusedId, newPage, text, visibleScreens } from "./fixtures";

describe("the shared page", () => {
  it("says texts in the language, and says them again when it changes", () => {
    const page = newPage();
    page.say($("#sent-text"), (t) => t.sentText("a@b.fr"));
    expect(text("#go-register")).toBe("Créer le compte client de mon entreprise");
    expect(text('label[for="register-company_name"]')).toBe("Raison sociale");
    expect(text("#sent-text")).toBe("Saisissez le mot de passe que nous avons envoyé à a@b.fr.");
    page.setLanguage("en");
    expect(document.documentElement.lang).toBe("en");
    expect(document.title).toBe("Customer account");
    expect(text("#go-register")).toBe("Create my company's customer account");
    expect(text('label[for="register-company_name"]')).toBe("Company name");
    expect(text("#sent-text")).toBe("Enter the password we e-mailed to a@b.fr.");
  });

  it("keeps field errors on show in the new language", () => {
    const page = newPage();
    const form = $("#register-form") as HTMLFormElement;
    page.showFieldErrors(form, "", [{ field: "phone", code: "empty", message: "" }]);
    expect(text("#error-phone")).toBe("Ce champ est obligatoire.");
    page.setLanguage("en");
    expect(text("#error-phone")).toBe("This field is required.");
    page.clearFieldErrors(form, "");
    page.setLanguage("fr");
    expect(text("#error-phone")).toBe("");
  });

  it("shows a notice of a kind, and empties it", () => {
    const page = newPage();
    page.notify("success", (t) => t.saved);
    expect(text("#notice")).toBe("Enregistré.");
    expect($("#notice").dataset["kind"]).toBe("success");
    page.notify("info", null);
    expect(text("#notice")).toBe("");
  });

  it("gives back an element's own words", () => {
    const page = newPage();
    page.say($("#copy-customer-id"), (t) => t.copied);
    expect(text("#copy-customer-id")).toBe("Copié");
    page.unsay($("#copy-customer-id"));
    page.setLanguage("en");
    expect(text("#copy-customer-id")).toBe("Copy");
  });

  it("displays one screen and moves the focus to its heading", () => {
    const page = newPage();
    page.show("register");
    expect(visibleScreens()).toEqual(["screen-register"]);
    expect(page.screen()).toBe("register");
    expect(focusedId()).toBe("register-title");
    page.show("link", $("#link-email"));
    expect(visibleScreens()).toEqual(["screen-link"]);
    expect(focusedId()).toBe("link-email");
  });

  it("runs one request at a time, the page and the button saying they are busy", async () => {
    const page = newPage();
    const button = $("#register-submit");
    let finish = () => {};
    const first = page.guarded(button, () => new Promise<void>((resolve) => (finish = resolve)));
    expect(page.busy()).toBe(true);
    expect(document.body.classList.contains("busy")).toBe(true);
    expect(button.getAttribute("aria-disabled")).toBe("true");
    let second = false;
    await page.guarded(null, async () => {
      second = true;
    });
    expect(second).toBe(false);
    finish();
    await first;
    expect(page.busy()).toBe(false);
    expect(document.body.classList.contains("busy")).toBe(false);
    expect(button.hasAttribute("aria-disabled")).toBe(false);
  });
});
