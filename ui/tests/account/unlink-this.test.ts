// @vitest-environment jsdom
// Unlinking this computer.

import { describe, expect, it } from "vitest";
import { codeText } from "../../src/messages";
import { $, account, click, failure, focusedId, openAccount, text, visibleScreens } from "../fixtures";

describe("unlinking this computer", () => {
  it("asks first, the safe choice focused, naming the account", async () => {
    openAccount();
    await click("#unlink-this");
    expect($("#unlink-dialog").hasAttribute("open")).toBe(true);
    expect(focusedId()).toBe("unlink-cancel");
    expect(text("#unlink-dialog-text")).toContain("compte client 10 019");
    await click("#unlink-cancel");
    expect($("#unlink-dialog").hasAttribute("open")).toBe(false);
    expect(focusedId()).toBe("unlink-this");
  });

  it("a failure is said in the dialog, which stays", async () => {
    const { backend } = openAccount();
    backend.next("unlink", failure("service_unreachable"));
    await click("#unlink-this");
    await click("#unlink-confirm");
    expect(text("#unlink-error")).toBe(codeText("service_unreachable", "fr"));
    expect($("#unlink-dialog").hasAttribute("open")).toBe(true);
  });

  it("already unlinked elsewhere is what was asked: Welcome, and it says so", async () => {
    const { backend } = openAccount();
    backend.next("unlink", failure("not_linked"));
    await click("#unlink-this");
    await click("#unlink-confirm");
    expect(visibleScreens()).toEqual(["screen-welcome"]);
    expect(text("#notice")).toBe("Cet ordinateur n'est plus lié au compte client.");
  });

  it("cannot be done offline", () => {
    openAccount({ state: "offline", account: account(), fetched_at: "2025-11-20T09:04:00Z" });
    expect(($("#unlink-this") as HTMLButtonElement).disabled).toBe(true);
  });
});
