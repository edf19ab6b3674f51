// @vitest-environment jsdom
// The dialog asking for the account password.

import { describe, expect, it } from "vitest";
import { $, click, focusedId, openAccount, submit, text, type } from "../fixtures";

describe("the password dialog", () => {
  it("hides the password, asks for it, and gives the focus back when cancelled", async () => {
    const { backend } = openAccount();
    $("#validate").focus();
    await submit("#account-form");
    expect(($("#dialog-password") as HTMLInputElement).type).toBe("password");
    expect(text("#dialog-forgot")).toContain("M'envoyer mon mot de passe par e-mail");
    await submit("#password-dialog-form");
    expect(text("#dialog-error")).toBe("Mot de passe : Ce champ est obligatoire.");
    expect(backend.callsOf("edit")).toEqual([]);
    await click("#dialog-cancel");
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(focusedId()).toBe("validate");
  });

  it("opens again empty, the password hidden and no error left", async () => {
    openAccount();
    await submit("#account-form");
    type("#dialog-password", "ABCDE");
    await click('input.reveal[data-reveals="dialog-password"]');
    expect(($("#dialog-password") as HTMLInputElement).type).toBe("text");
    await click("#dialog-cancel");
    await submit("#account-form");
    expect(($("#dialog-password") as HTMLInputElement).value).toBe("");
    expect(($("#dialog-password") as HTMLInputElement).type).toBe("password");
    expect(text("#dialog-error")).toBe("");
  });
});
