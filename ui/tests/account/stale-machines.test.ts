// @vitest-environment jsdom
// Unlinking inactive computers: the ones not seen for N days listed, then unlinked.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AccountView } from "../../src/api";
import { codeText } from "../../src/messages";
import { $, account, click, failure, focusedId, openAccount, pressEnter, submit, text, type } from "../fixtures";

// The fixtures' computers were last seen on 20 (this one) and 19 November 2025.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2025-12-30T12:00:00Z"));
});

afterEach(() => {
  vi.useRealTimers();
});

function withOld(): AccountView {
  const view = account();
  const other = view.machines[1]!;
  return account({
    machines: [
      ...view.machines,
      { ...other, machine_id: "m-old", name: "PC-STOCK", last_seen_at: "2025-06-02T07:30:00Z", shares_identity: false },
    ],
  });
}

describe("unlinking inactive computers", () => {
  it("nothing unseen for that long: says so and asks nothing", async () => {
    const { backend } = openAccount();
    type("#stale-days", "60");
    await click("#unlink-stale");
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(text("#notice")).toBe("Aucun autre ordinateur n'est resté sans connexion depuis 60 jours.");
    expect(backend.callsOf("unlink_stale_machines")).toEqual([]);
  });

  it("lists exactly which computers, with their last-seen date, never this one", async () => {
    openAccount({ state: "linked", account: withOld() });
    expect((($("#stale-days") as HTMLInputElement).value)).toBe("30");
    await click("#unlink-stale");
    expect($("#password-dialog").hasAttribute("open")).toBe(true);
    expect(text("#password-dialog-title")).toBe("Délier les ordinateurs non vus depuis 30 jours");
    expect(text("#password-dialog-text")).toBe(
      [
        "Ces 2 ordinateurs, non vus depuis 30 jours, seront déliés du compte :",
        "• PC-STOCK — vu le 2 juin 2025 à 07:30",
        "• PC-COMPTA — vu le 19 novembre 2025 à 16:45",
        "Saisissez le mot de passe du compte.",
      ].join("\n"),
    );
    expect(text("#dialog-submit")).toBe("Délier 2 ordinateurs");
    expect(text("#password-dialog-text")).not.toContain("PC-ACCUEIL");
  });

  it("in English too, one computer", async () => {
    const { page } = openAccount({ state: "linked", account: withOld() });
    page.setLanguage("en");
    type("#stale-days", "100");
    await pressEnter("#stale-days");
    expect(text("#password-dialog-text")).toBe(
      [
        "This computer, not seen for 100 days, will be unlinked from the account:",
        "• PC-STOCK — last seen 2 June 2025 at 07:30",
        "Enter the account password.",
      ].join("\n"),
    );
    expect(text("#dialog-submit")).toBe("Unlink 1 computer");
  });

  it("unlinks the listed ones with the password, says how many, shows the account again", async () => {
    const { backend } = openAccount({ state: "linked", account: withOld() });
    await click("#unlink-stale");
    backend.next("unlink_stale_machines", ["m-old", "m-other"]);
    backend.next("account_status", { state: "linked", account: account({ machines: account().machines.slice(0, 1) }) });
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    await submit("#password-dialog-form");
    expect(backend.callsOf("unlink_stale_machines")).toEqual([
      { password: "ABCDE-FGHJK-MNPQR", not_seen_days: 30, machine_ids: ["m-old", "m-other"] },
    ]);
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(text("#notice")).toBe("2 ordinateurs déliés du compte.");
    expect(document.querySelectorAll("#machines li").length).toBe(1);
  });

  it("says when some were kept (seen since)", async () => {
    const { backend, page } = openAccount({ state: "linked", account: withOld() });
    await click("#unlink-stale");
    backend.next("unlink_stale_machines", ["m-old"]);
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    await submit("#password-dialog-form");
    expect(text("#notice")).toBe(
      "1 ordinateur délié sur 2 : les autres se sont connectés entre-temps ou n'étaient plus liés.",
    );
    page.setLanguage("en");
    expect(text("#notice")).toBe("1 of 2 computers unlinked: the others were seen since or were no longer linked.");
  });

  it("a wrong password keeps the dialog", async () => {
    const { backend } = openAccount({ state: "linked", account: withOld() });
    await click("#unlink-stale");
    backend.next("unlink_stale_machines", failure("invalid_credentials"));
    type("#dialog-password", "WRONG");
    await submit("#password-dialog-form");
    expect($("#password-dialog").hasAttribute("open")).toBe(true);
    expect(text("#dialog-error")).toBe("Mot de passe incorrect.");
    expect(focusedId()).toBe("dialog-password");
  });

  it("a wrong number of days shows beside the field, in FR and EN", async () => {
    const { backend, page } = openAccount({ state: "linked", account: withOld() });
    type("#stale-days", "0");
    await click("#unlink-stale");
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(text("#stale-days-error")).toBe("Ce nombre est en dehors des valeurs permises.");
    expect($("#stale-days").getAttribute("aria-invalid")).toBe("true");
    expect(focusedId()).toBe("stale-days");
    page.setLanguage("en");
    expect(text("#stale-days-error")).toBe("This number is outside the allowed range.");
    type("#stale-days", "");
    await click("#unlink-stale");
    expect(text("#stale-days-error")).toBe("This field is required.");

    // The service's refusal goes there too.
    type("#stale-days", "30");
    await click("#unlink-stale");
    expect(text("#stale-days-error")).toBe("");
    backend.next(
      "unlink_stale_machines",
      failure("invalid_fields", { fields: [{ field: "not_seen_days", code: "out_of_range", message: "" }] }),
    );
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    await submit("#password-dialog-form");
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(text("#stale-days-error")).toBe(codeText("out_of_range", "en"));
  });
});
