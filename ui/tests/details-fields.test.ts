// @vitest-environment jsdom
// details-fields.ts: the details fields written once, built into both forms.

import { describe, expect, it } from "vitest";
import { buildDetailsForms, DETAILS_FIELDS } from "../src/details-fields";
import { FIELD_NAMES } from "../src/form";
import { $, newPage, text } from "./fixtures";

describe("the details fields", () => {
  it("are the form's fields, in its order", () => {
    expect(DETAILS_FIELDS.map((f) => f.name)).toEqual([...FIELD_NAMES]);
  });

  it("give each form its labelled inputs, hints and error slots", () => {
    newPage();
    for (const [form, error] of [["register", "error-"], ["account", "account-error-"]] as const) {
      for (const name of FIELD_NAMES) {
        const input = $(`#${form}-${name}`);
        expect(input.getAttribute("name")).toBe(name);
        expect($(`label[for="${form}-${name}"]`).textContent).not.toBe("");
        expect(input.getAttribute("aria-describedby")?.split(" ")).toContain(`${error}${name}`);
      }
    }
    expect(text('label[for="register-siret"]')).toBe("SIRET (facultatif)");
    expect(text("#register-hint-email")).toBe("Le mot de passe du compte sera envoyé à cette adresse.");
    expect(text("#account-hint-company_name")).toBe("Les factures d'assistance sont établies à ce nom.");
    expect(document.getElementById("account-hint-email")).toBeNull();
    expect(text("#screen-register legend")).toBe("Adresse postale (facultative)");
    expect(($("#register-street") as HTMLTextAreaElement).rows).toBe(2);
    expect($("#register-phone").getAttribute("type")).toBe("tel");
    expect($("#account-email").getAttribute("aria-required")).toBe("true");
    expect($("#account-city").hasAttribute("aria-required")).toBe(false);
  });

  it("put the confirmation code under the account's e-mail, which it describes", () => {
    newPage();
    expect($("#email-pending").closest(".field-email")).toBe($("#account-email").closest(".field-email"));
    expect($("#account-email").getAttribute("aria-describedby")).toBe("account-error-email email-pending-text");
  });

  it("are built once", () => {
    newPage();
    buildDetailsForms(document);
    expect(document.querySelectorAll('[name="email"]').length).toBe(3);
  });
});
