// @vitest-environment jsdom
// The account's details: read-only offline, saved with the password, refusals under the
// fields, a change made elsewhere, "E-mail my password".

import { describe, expect, it } from "vitest";
import { codeText } from "../../src/messages";
import { $, account, click, failure, focusedId, openAccount, submit, text, type, value } from "../fixtures";

const offline = { state: "offline" as const, account: account(), fetched_at: "2025-11-20T09:04:00Z" };

describe("the account's details", () => {
  it("are filled from the account and can be changed", () => {
    openAccount();
    expect(value("#account-company_name")).toBe("Dupont SARL");
    expect(($("#account-fields") as HTMLFieldSetElement).disabled).toBe(false);
    expect(($("#validate") as HTMLButtonElement).disabled).toBe(false);
    expect(text("#validate")).toBe("Valider");
  });

  it("cannot be changed offline", () => {
    openAccount(offline);
    expect($("#account-phone").matches(":disabled")).toBe(true);
    expect(($("#validate") as HTMLButtonElement).disabled).toBe(true);
    expect(($("#email-password") as HTMLButtonElement).disabled).toBe(true);
  });

  it("Validate asks for the account password in the save dialog", async () => {
    openAccount();
    await submit("#account-form");
    expect($("#password-dialog").hasAttribute("open")).toBe(true);
    expect(text("#password-dialog-title")).toBe("Enregistrer les modifications");
    expect(text("#password-dialog-text")).toBe("Saisissez le mot de passe du compte.");
    expect(text("#dialog-submit")).toBe("Enregistrer");
    expect(focusedId()).toBe("dialog-password");
  });

  it("an address another account uses is said under the e-mail field, the dialog closed", async () => {
    const { backend } = openAccount();
    type("#account-email", "autre@dupont-sarl.fr");
    await submit("#account-form");
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    backend.next("edit", failure("email_unavailable"));
    await submit("#password-dialog-form");
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(text("#account-error-email")).toBe(codeText("email_unavailable", "fr"));
    expect(focusedId()).toBe("account-email");
    expect(value("#account-email")).toBe("autre@dupont-sarl.fr");
  });

  it("a change made elsewhere offers Reload, which keeps what was typed", async () => {
    const { backend } = openAccount();
    type("#account-phone", "06 11 22 33 44");
    await submit("#account-form");
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    backend.next("edit", failure("changed_elsewhere"));
    await submit("#password-dialog-form");
    expect($("#conflict-banner").hidden).toBe(false);
    expect(focusedId()).toBe("reload");
    expect(value("#account-phone")).toBe("06 11 22 33 44");
  });

  it("E-mail my password asks for a password request to the account's address", async () => {
    const { backend } = openAccount();
    expect(text("#email-password")).toBe("M'envoyer mon mot de passe par e-mail");
    await click("#email-password");
    expect(backend.callsOf("request_password")).toEqual([{ email: "compta@dupont-sarl.fr", language: "fr" }]);
    expect(text("#notice")).toContain("Un nouveau mot de passe a été envoyé à compta@dupont-sarl.fr.");
  });
});
