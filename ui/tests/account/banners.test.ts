// @vitest-environment jsdom
// The offline and "changed elsewhere" banners.

import { describe, expect, it } from "vitest";
import { codeText } from "../../src/messages";
import { $, account, click, details, failure, focusedId, openAccount, submit, text, type, value } from "../fixtures";

const offline = { state: "offline" as const, account: account(), fetched_at: "2025-11-20T09:04:00Z" };

describe("the banners", () => {
  it("offline: says since when the data dates; Retry says if the service still does not answer", async () => {
    const { backend } = openAccount(offline);
    expect($("#offline-banner").hidden).toBe(false);
    expect(text("#offline-text")).toBe(
      "Service injoignable — données du 20 novembre 2025 à 09:04. Elles ne peuvent pas être modifiées pour l'instant.",
    );
    backend.next("account_status", offline);
    await click("#retry");
    expect(text("#notice")).toBe(codeText("service_unreachable", "fr"));
    backend.next("account_status", failure("credential_store_unavailable"));
    await click("#retry");
    expect(text("#notice")).toBe(codeText("credential_store_unavailable", "fr"));
  });

  it("back online: the banner goes, the form can be changed, its first field focused", async () => {
    const { backend } = openAccount(offline);
    backend.next("account_status", { state: "linked", account: account() });
    await click("#retry");
    expect($("#offline-banner").hidden).toBe(true);
    expect($("#account-phone").matches(":disabled")).toBe(false);
    expect(text("#notice")).toBe("Le service répond de nouveau.");
    expect(focusedId()).toBe("account-email");
  });

  it("changed elsewhere: Reload takes the new data, keeps what was typed, and goes", async () => {
    const { backend } = openAccount();
    type("#account-phone", "06 11 22 33 44");
    await submit("#account-form");
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    backend.next("edit", failure("changed_elsewhere"));
    await submit("#password-dialog-form");
    expect(text("#conflict-text")).toBe(codeText("changed_elsewhere", "fr"));
    backend.next("account_status", { state: "linked", account: account({ version: 7, details: details({ company_name: "Dupont & Fils SARL" }) }) });
    await click("#reload");
    expect($("#conflict-banner").hidden).toBe(true);
    expect(value("#account-company_name")).toBe("Dupont & Fils SARL");
    expect(value("#account-phone")).toBe("06 11 22 33 44");
    expect(text("#notice")).toBe("Compte rechargé : vos saisies sont conservées.");
    expect(focusedId()).toBe("validate");
  });
});
