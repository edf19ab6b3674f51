// @vitest-environment jsdom
// A new e-mail address waiting for its confirmation code.

import { describe, expect, it } from "vitest";
import { codeText } from "../../src/messages";
import { $, account, click, failure, focusedId, openAccount, text, type, value } from "../fixtures";

const NEW = "direction@dupont-sarl.fr";
const waiting = { state: "linked" as const, account: account({ pending_email: NEW }) };

describe("a new e-mail address waiting for its code", () => {
  it("is shown under the e-mail field, with the code's field", () => {
    openAccount(waiting);
    expect($("#email-pending").hidden).toBe(false);
    expect(text("#email-pending-text")).toBe(`Un code a été envoyé à ${NEW} — saisissez-le pour utiliser cette adresse.`);
    expect(text("#email-pending-hint")).toContain("compta@dupont-sarl.fr");
    expect(text('label[for="email-code"]')).toBe("Code de confirmation");
  });

  it("is not shown when no address waits", () => {
    openAccount();
    expect($("#email-pending").hidden).toBe(true);
  });

  it("a refused code while another address now waits: asks for that one's code", async () => {
    const { backend } = openAccount(waiting);
    type("#email-code", "K7RM-2XQE");
    backend.next("confirm_email", failure("email_code_invalid"));
    backend.next("account_status", { state: "linked", account: account({ pending_email: "autre@dupont-sarl.fr" }) });
    await click("#email-confirm");
    expect(text("#email-pending-text")).toContain("autre@dupont-sarl.fr");
    expect(text("#email-code-error")).toBe(codeText("email_code_invalid", "fr"));
    expect(focusedId()).toBe("email-code");
  });

  it("cancelling can fail: said under the code, which stays", async () => {
    const { backend } = openAccount(waiting);
    type("#email-code", "K7RM");
    backend.next("cancel_email_change", failure("service_unreachable"));
    await click("#email-cancel-change");
    expect(text("#email-code-error")).toBe(codeText("service_unreachable", "fr"));
    expect(value("#email-code")).toBe("K7RM");
    expect($("#email-pending").hidden).toBe(false);
  });
});
