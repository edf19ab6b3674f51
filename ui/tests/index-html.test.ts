// @vitest-environment jsdom
// index.html itself: the hooks the end-to-end tests use, labels, the CSP's rules.

import { beforeEach, describe, expect, it } from "vitest";
import { FIELD_NAMES, readForm, showFieldErrors, clearFieldErrors, writeForm } from "../src/form";
import { isStaticKey } from "../src/i18n";
import { codeText } from "../src/messages";
import { SCREEN_ELEMENT_IDS } from "../src/state";
import { indexHtml, loadPage } from "./fixtures";

const HOOK_IDS = [
  "screen-welcome", "screen-register", "screen-password-sent", "screen-link", "screen-account",
  "go-register", "go-link", "register-form", "register-submit", "form-error",
  "sent-password", "sent-submit", "request-password-again",
  "link-email", "link-send-password", "link-have-password", "link-password", "link-submit", "link-move", "link-error",
  "customer-id", "copy-customer-id", "balance", "account-form", "validate",
  "password-dialog", "dialog-password", "dialog-submit", "dialog-cancel", "dialog-error",
  "email-password", "machines", "unlink-this", "unlink-dialog", "unlink-confirm", "unlink-cancel",
  "offline-banner", "retry", "conflict-banner", "reload", "notice", "language", "loading",
  "email-pending", "email-pending-text", "email-code", "email-code-error", "email-confirm", "email-cancel-change",
  "add-computers", "key-form", "key-label", "key-uses", "key-days", "key-create",
  "new-key", "new-key-value", "new-key-command", "new-key-installer", "new-key-close",
  "enrollment-keys", "stale-days", "unlink-stale", "password-dialog-text",
];

beforeEach(() => {
  loadPage();
});

function registerForm(): HTMLFormElement {
  return document.getElementById("register-form") as HTMLFormElement;
}

function accountForm(): HTMLFormElement {
  return document.getElementById("account-form") as HTMLFormElement;
}

describe("index.html", () => {
  it("has every hook of the end-to-end tests, each once", () => {
    for (const id of HOOK_IDS) {
      expect(document.querySelectorAll(`#${id}`).length, `#${id}`).toBe(1);
    }
    const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("shows only the loading screen at first", () => {
    for (const id of Object.values(SCREEN_ELEMENT_IDS)) {
      expect(document.getElementById(id)?.hidden, id).toBe(id !== "loading");
    }
  });

  it("has the language control with French and English", () => {
    const select = document.getElementById("language") as HTMLSelectElement;
    expect(select.tagName).toBe("SELECT");
    expect([...select.options].map((o) => o.value)).toEqual(["fr", "en"]);
  });

  it("gives both details forms the inputs the contract names, with their error elements", () => {
    for (const [form, prefix] of [[registerForm(), ""], [accountForm(), "account-"]] as const) {
      for (const name of FIELD_NAMES) {
        const input = form.elements.namedItem(name);
        expect(input, `${form.id} ${name}`).not.toBeNull();
        const error = document.getElementById(`${prefix}error-${name}`);
        expect(error, `#${prefix}error-${name}`).not.toBeNull();
        expect((input as HTMLElement).getAttribute("aria-describedby")?.split(" ")).toContain(error?.id);
      }
    }
  });

  it("labels every input, select and text area", () => {
    const controls = document.querySelectorAll<HTMLElement>("input, select, textarea");
    expect(controls.length).toBeGreaterThan(20);
    for (const control of controls) {
      const labelled =
        (control.id !== "" && document.querySelector(`label[for="${control.id}"]`) !== null) ||
        control.closest("label") !== null;
      expect(labelled, control.id || control.outerHTML).toBe(true);
    }
  });

  it("points every aria-describedby and aria-labelledby at an element that exists", () => {
    for (const element of document.querySelectorAll("[aria-describedby], [aria-labelledby]")) {
      for (const attr of ["aria-describedby", "aria-labelledby"]) {
        for (const id of (element.getAttribute(attr) ?? "").split(" ").filter(Boolean)) {
          expect(document.getElementById(id), `${attr}=${id}`).not.toBeNull();
        }
      }
    }
  });

  it("names only words the catalogue has", () => {
    for (const element of document.querySelectorAll<HTMLElement>("[data-i18n]")) {
      expect(isStaticKey(element.dataset["i18n"] ?? ""), element.dataset["i18n"]).toBe(true);
    }
  });

  it("keeps to the CSP: no inline script, style or event handler, nothing remote", () => {
    expect(indexHtml).not.toMatch(/style=/i);
    expect(indexHtml).not.toMatch(/<style/i);
    expect(indexHtml).not.toMatch(/\son[a-z]+=/i);
    expect(indexHtml).not.toMatch(/https?:\/\//i);
    const scripts = [...new DOMParser().parseFromString(indexHtml, "text/html").querySelectorAll("script")];
    expect(scripts.length).toBe(1);
    for (const script of scripts) {
      expect(script.getAttribute("src")).toBe("/src/main.ts");
      expect(script.textContent?.trim()).toBe("");
    }
  });

  it("uses native dialogs for the password and the unlink confirmation", () => {
    expect(document.getElementById("password-dialog")?.tagName).toBe("DIALOG");
    expect(document.getElementById("unlink-dialog")?.tagName).toBe("DIALOG");
    expect(document.getElementById("notice")?.getAttribute("aria-live")).toBe("polite");
  });
});

describe("field errors in the page", () => {
  it("go under the right inputs of the registration form", () => {
    const form = registerForm();
    const { first, unplaced } = showFieldErrors(
      form,
      "",
      [
        { field: "siret", code: "siret_check_digit", message: "" },
        { field: "address.postal_code", code: "invalid_postal_code", message: "" },
        { field: "phone", code: "invalid_phone", message: "" },
        { field: "language", code: "invalid_language", message: "" },
      ],
      "fr",
    );
    expect(document.getElementById("error-siret")?.textContent).toBe(codeText("siret_check_digit", "fr"));
    expect(document.getElementById("error-postal_code")?.textContent).toBe(codeText("invalid_postal_code", "fr"));
    expect(document.getElementById("error-phone")?.textContent).toBe(codeText("invalid_phone", "fr"));
    expect(document.getElementById("error-email")?.textContent).toBe("");
    expect(form.querySelector('[name="siret"]')?.getAttribute("aria-invalid")).toBe("true");
    expect(form.querySelector('[name="postal_code"]')?.getAttribute("aria-invalid")).toBe("true");
    expect(form.querySelector('[name="email"]')?.hasAttribute("aria-invalid")).toBe(false);
    // The first invalid input in form order, not in the service's order.
    expect(first?.getAttribute("name")).toBe("phone");
    expect(unplaced.map((e) => e.field)).toEqual(["language"]);
    // The account form's slots stay empty.
    expect(document.getElementById("account-error-siret")?.textContent).toBe("");

    clearFieldErrors(form, "");
    expect(document.getElementById("error-siret")?.textContent).toBe("");
    expect(form.querySelector('[name="siret"]')?.hasAttribute("aria-invalid")).toBe(false);
  });

  it("go under the right inputs of the account form, in English too", () => {
    const form = accountForm();
    showFieldErrors(form, "account-", [{ field: "address.street", code: "empty", message: "" }], "en");
    expect(document.getElementById("account-error-street")?.textContent).toBe("This field is required.");
    expect(document.getElementById("error-street")?.textContent).toBe("");
  });

  it("reads and writes every field, the street on several lines", () => {
    const form = accountForm();
    const values = readForm(form);
    values.street = "Bâtiment B\n12 rue des Lilas";
    values.siret = "73282932000074";
    writeForm(form, values);
    expect(readForm(form)).toEqual(values);
    expect(readForm(registerForm()).street).toBe("");
  });
});
