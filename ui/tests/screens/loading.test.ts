// @vitest-environment jsdom
// Loading: the first status, or why it failed and a retry.

import { describe, expect, it } from "vitest";
import type { Status } from "../../src/api";
import { codeText } from "../../src/messages";
import { createLoading } from "../../src/screens/loading";
import { $, click, failure, FakeBackend, focusedId, newPage, text, visibleScreens } from "../fixtures";

const noSnapshot = { refreshing: () => false, leave() {} };

describe("loading", () => {
  it("hands the status on once it comes", async () => {
    const page = newPage();
    const shown: Status[] = [];
    await createLoading(page, (s) => void shown.push(s), noSnapshot).load();
    expect(shown).toEqual([{ state: "not_linked" }]);
    expect($("#loading").hasAttribute("aria-busy")).toBe(false);
  });

  it("says why the status failed, focuses Retry, and tries again", async () => {
    const backend = new FakeBackend().next("account_status", failure("credential_store_unavailable"));
    const page = newPage(backend);
    const shown: Status[] = [];
    await createLoading(page, (s) => void shown.push(s), noSnapshot).load();
    expect(visibleScreens()).toEqual(["loading"]);
    expect(text("#loading-error")).toBe(codeText("credential_store_unavailable", "fr"));
    expect($("#loading-failure").hidden).toBe(false);
    expect(focusedId()).toBe("loading-retry");
    expect(text("#loading-retry")).toBe("Réessayer");
    await click("#loading-retry");
    expect($("#loading-failure").hidden).toBe(true);
    expect(shown).toEqual([{ state: "not_linked" }]);
  });
});
