// @vitest-environment jsdom
// password-fields.ts: the account password's field, written once for its three places.

import { describe, expect, it } from "vitest";
import { buildPasswordFields, PASSWORD_FIELDS } from "../src/password-fields";
import { $, newPage, text } from "./fixtures";

describe("the password fields", () => {
  it("are each labelled, hidden as typed, with a box to show them", () => {
    newPage();
    for (const { id } of PASSWORD_FIELDS) {
      expect(text(`label[for="${id}"]`)).toBe("Mot de passe");
      expect(($(`#${id}`) as HTMLInputElement).type).toBe("password");
      expect($(`#${id}`).getAttribute("aria-required")).toBe("true");
      expect(text(`label.check:has(input[data-reveals="${id}"])`)).toBe(" Afficher le mot de passe");
    }
  });

  it("say the mailed password's format where one is typed from the e-mail", () => {
    newPage();
    expect(text("#sent-password-hint")).toMatch(/^15 caractères en trois groupes/);
    expect($("#link-password").getAttribute("aria-describedby")).toBe("link-password-hint link-error");
    expect(document.getElementById("dialog-password-hint")).toBeNull();
  });

  it("are built once", () => {
    newPage();
    buildPasswordFields(document);
    expect(document.querySelectorAll('input[name="password"]').length).toBe(3);
  });
});
