// @vitest-environment jsdom
// The account screen: which status shows it, a new link, and "no longer linked".

import { describe, expect, it } from "vitest";
import { codeText } from "../../src/messages";
import { $, account, click, failure, openAccount, submit, text, type, value, visibleScreens } from "../fixtures";

describe("the account screen", () => {
  it("shows a linked account, and Welcome when this computer is not linked", () => {
    const { screen } = openAccount();
    expect(visibleScreens()).toEqual(["screen-account"]);
    expect(text("#customer-id")).toBe("10 019");
    screen.applyStatus({ state: "not_linked" });
    expect(visibleScreens()).toEqual(["screen-welcome"]);
    expect(value("#account-email")).toBe("");
  });

  it("says which account this computer was just linked to", () => {
    const { screen } = openAccount({ state: "not_linked" });
    screen.linked(account({ customer_id: "1000090" }));
    expect(visibleScreens()).toEqual(["screen-account"]);
    expect(text("#notice")).toBe("Cet ordinateur est lié au compte client 1 000 090.");
  });

  it("goes back to Welcome, dialogs closed, when the service says it is no longer linked", async () => {
    const { backend } = openAccount();
    await submit("#account-form");
    expect($("#password-dialog").hasAttribute("open")).toBe(true);
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    backend.next("edit", failure("not_linked"));
    await submit("#password-dialog-form");
    expect(visibleScreens()).toEqual(["screen-welcome"]);
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(text("#notice")).toBe(codeText("not_linked", "fr"));
  });

  it("is drawn again in the other language", async () => {
    const { page } = openAccount();
    page.setLanguage("en");
    expect(text("#machines")).toContain("This computer");
    expect(text("#support-time-title")).toBe("Support time");
    await click("#copy-customer-id");
    expect(text("#copy-customer-id")).toBe("Copied");
  });
});
