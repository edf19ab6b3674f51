// @vitest-environment jsdom
// The computers linked to the account.

import { describe, expect, it } from "vitest";
import { codeText } from "../../src/messages";
import { $, account, click, failure, focusedId, openAccount, submit, text, type } from "../fixtures";

const other = '#machines li[data-machine-id="m-other"] button.unlink-machine';

describe("the computers", () => {
  it("this one first, marked, without an Unlink button; the others with one", () => {
    openAccount();
    const items = [...document.querySelectorAll<HTMLElement>("#machines li")];
    expect(items.map((li) => li.querySelector(".machine-name")?.textContent)).toEqual(["PC-ACCUEIL", "PC-COMPTA"]);
    expect(items[0]?.querySelector(".badge")?.textContent).toBe("Cet ordinateur");
    expect(items[0]?.querySelector("button")).toBeNull();
    expect($(other).getAttribute("aria-label")).toBe("Délier PC-COMPTA");
    expect(items[1]?.textContent).toContain("Windows 10 · Vu le 19 novembre 2025 à 16:45");
  });

  it("cannot be unlinked offline", () => {
    openAccount({ state: "offline", account: account(), fetched_at: "2025-11-20T09:04:00Z" });
    expect(($(other) as HTMLButtonElement).disabled).toBe(true);
  });

  it("Unlink asks for the password; a wrong one keeps the dialog", async () => {
    const { backend } = openAccount();
    await click(other);
    expect(text("#password-dialog-title")).toBe("Délier l'ordinateur PC-COMPTA");
    expect(text("#dialog-submit")).toBe("Délier");
    type("#dialog-password", "WRONG");
    backend.next("unlink_machine", failure("invalid_credentials"));
    await submit("#password-dialog-form");
    expect(text("#dialog-error")).toBe("Mot de passe incorrect.");
    expect(focusedId()).toBe("dialog-password");
  });

  it("a computer already gone: the dialog closes, the list is fetched again", async () => {
    const { backend } = openAccount();
    await click(other);
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    backend.next("unlink_machine", failure("machine_not_found"));
    backend.next("account_status", { state: "linked", account: account({ machines: account().machines.slice(0, 1) }) });
    await submit("#password-dialog-form");
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(text("#notice")).toBe(codeText("machine_not_found", "fr"));
    expect(document.querySelectorAll("#machines li").length).toBe(1);
  });
});
