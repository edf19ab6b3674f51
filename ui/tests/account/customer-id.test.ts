// @vitest-environment jsdom
// The customer ID: grouped as read out, copied with one click.

import { describe, expect, it, vi } from "vitest";
import { account, click, failure, FakeBackend, openAccount, text } from "../fixtures";

describe("the customer ID", () => {
  it("is grouped by three digits under its name", () => {
    openAccount({ state: "linked", account: account({ customer_id: "1000090" }) });
    expect(text("#customer-id-label")).toBe("Numéro client");
    expect(text("#customer-id")).toBe("1 000 090");
  });

  it("Copy copies the digits, says so for a moment, then reads Copy again", async () => {
    const { backend } = openAccount();
    await click("#copy-customer-id");
    expect(backend.callsOf("copy")).toEqual([{ text: "10019" }]);
    expect(text("#copy-customer-id")).toBe("Copié");
    expect(text("#notice")).toBe("Numéro client copié.");
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(text("#copy-customer-id")).toBe("Copier");
  });

  it("when copying fails, selects the number and says how to copy it", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const backend = new FakeBackend().next("copy", failure("unexpected"));
    openAccount(undefined, backend);
    await click("#copy-customer-id");
    expect(text("#notice")).toBe("Impossible de copier : sélectionnez le numéro, puis appuyez sur Ctrl+C.");
    expect(document.getSelection()?.toString()).toBe("10 019");
    expect(text("#copy-customer-id")).toBe("Copier");
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
  });
});
