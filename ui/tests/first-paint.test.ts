// @vitest-environment jsdom
// What the app hands the page before it loads (src-tauri/app.rs, first_paint_script):
// startup's answer and the last snapshot, each used once without IPC; then IPC as before.

import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { account, startup } from "./fixtures";

const holder = globalThis as { __CUSTOMER_ACCOUNT_FIRST_PAINT__?: unknown };

/** The page's api module as evaluated now (after the app's initialization script). */
async function freshApi() {
  vi.resetModules();
  return import("../src/api");
}

afterEach(() => {
  clearMocks();
  delete holder.__CUSTOMER_ACCOUNT_FIRST_PAINT__;
});

describe("the first paint's data", () => {
  it("answers startup and the snapshot once without IPC, then asks through IPC", async () => {
    const snapshot = { account: account(), fetched_at: "2025-11-20T09:04:00Z" };
    holder.__CUSTOMER_ACCOUNT_FIRST_PAINT__ = { startup: startup({ language: "en" }), snapshot };
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      return cmd === "startup" ? startup() : null;
    });
    const { tauriBackend } = await freshApi();
    // Read once, and gone from the page's globals.
    expect(holder.__CUSTOMER_ACCOUNT_FIRST_PAINT__).toBeUndefined();

    expect(await tauriBackend.accountSnapshot()).toEqual(snapshot);
    expect((await tauriBackend.startup()).language).toBe("en");
    expect(calls).toEqual([]);

    expect(await tauriBackend.accountSnapshot()).toBeNull();
    expect((await tauriBackend.startup()).language).toBe("fr");
    expect(calls).toEqual(["account_snapshot", "startup"]);
  });

  it("asks through IPC when nothing was handed over (no snapshot: null)", async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      return cmd === "startup" ? startup() : null;
    });
    const { tauriBackend } = await freshApi();
    expect(await tauriBackend.accountSnapshot()).toBeNull();
    await tauriBackend.startup();
    expect(calls).toEqual(["account_snapshot", "startup"]);
  });
});
