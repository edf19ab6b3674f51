// @vitest-environment jsdom
// The real backend's calls: command names and snake_case argument keys, as the Rust side
// declares them, and errors turned into CommandError.

import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it } from "vitest";
import { type Startup, tauriBackend, toCommandError } from "../src/api";
import { account, details, enrollmentKey, keyCreated, startup } from "./fixtures";

afterEach(() => {
  clearMocks();
});

function record(answer: (cmd: string) => unknown = () => null) {
  const calls: Array<[string, unknown]> = [];
  mockIPC((cmd, payload) => {
    calls.push([cmd, payload]);
    return answer(cmd);
  });
  return calls;
}

describe("tauriBackend", () => {
  it("sends each command with the contract's argument keys", async () => {
    const calls = record((cmd) =>
      ["link", "edit", "confirm_email", "cancel_email_change"].includes(cmd) ? account() : null,
    );
    const d = details();
    await tauriBackend.register(d);
    await tauriBackend.requestPassword("a@b.fr", "en");
    await tauriBackend.link("a@b.fr", "PW", true);
    await tauriBackend.edit("PW", 3, d);
    await tauriBackend.unlink();
    await tauriBackend.unlinkMachine("m-1", "PW");
    await tauriBackend.copyText("10019");
    expect(await tauriBackend.confirmEmail("k7rm 2xqd")).toEqual(account());
    await tauriBackend.cancelEmailChange();
    expect(calls.map(([cmd]) => cmd)).toEqual([
      "register",
      "request_password",
      "link",
      "edit",
      "unlink",
      "unlink_machine",
      "plugin:clipboard-manager|write_text",
      "confirm_email",
      "cancel_email_change",
    ]);
    expect(calls[0]?.[1]).toEqual({ details: d });
    expect(calls[1]?.[1]).toEqual({ email: "a@b.fr", language: "en" });
    expect(calls[2]?.[1]).toEqual({ email: "a@b.fr", password: "PW", move_machine: true });
    expect(calls[3]?.[1]).toEqual({ password: "PW", version: 3, details: d });
    expect(calls[5]?.[1]).toEqual({ machine_id: "m-1", password: "PW" });
    expect(calls[6]?.[1]).toMatchObject({ text: "10019" });
    expect(calls[7]?.[1]).toEqual({ code: "k7rm 2xqd" });
  });

  it("sends the enrollment key and inactive computer commands with their argument keys", async () => {
    const created = keyCreated();
    const calls = record((cmd) =>
      cmd === "create_enrollment_key"
        ? created
        : cmd === "enrollment_keys"
          ? [enrollmentKey()]
          : cmd === "unlink_stale_machines"
            ? ["m-1"]
            : null,
    );
    expect(await tauriBackend.enrollmentKeys()).toEqual([enrollmentKey()]);
    expect(await tauriBackend.createEnrollmentKey("PW", "Salle", 25, 30)).toEqual(created);
    await tauriBackend.revokeEnrollmentKey(7);
    expect(await tauriBackend.unlinkStaleMachines("PW", 30, ["m-1", "m-2"])).toEqual(["m-1"]);
    expect(calls).toEqual([
      ["enrollment_keys", {}],
      ["create_enrollment_key", { password: "PW", label: "Salle", uses: 25, valid_days: 30 }],
      ["revoke_enrollment_key", { key_id: 7 }],
      ["unlink_stale_machines", { password: "PW", not_seen_days: 30, machine_ids: ["m-1", "m-2"] }],
    ]);
  });

  it("reads startup and status", async () => {
    const calls = record((cmd) => (cmd === "startup" ? startup() : { state: "not_linked" }));
    expect(await tauriBackend.startup()).toEqual(startup());
    expect(await tauriBackend.accountStatus()).toEqual({ state: "not_linked" });
    expect(calls.map(([cmd]) => cmd)).toEqual(["startup", "account_status"]);
  });

  it("rejects with the command's error", async () => {
    mockIPC(() => {
      throw { code: "rate_limited", message: "too many", retry_after_seconds: 120 };
    });
    await expect(tauriBackend.link("a@b.fr", "PW", false)).rejects.toEqual({
      code: "rate_limited",
      message: "too many",
      retry_after_seconds: 120,
    });
  });

  it("hears host-context", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const heard: Startup[] = [];
    const stop = await tauriBackend.onHostContext((s) => heard.push(s));
    await emit("host-context", startup({ language: "en" }));
    expect(heard.map((s) => s.language)).toEqual(["en"]);
    stop();
  });
});

describe("toCommandError", () => {
  it("keeps a CommandError's parts", () => {
    expect(
      toCommandError({
        code: "invalid_fields",
        message: "some fields were refused",
        fields: [{ field: "address.city", code: "empty", message: "required" }],
      }),
    ).toEqual({
      code: "invalid_fields",
      message: "some fields were refused",
      fields: [{ field: "address.city", code: "empty", message: "required" }],
    });
  });

  it("turns anything else into unexpected", () => {
    expect(toCommandError("Command foo not allowed by ACL")).toEqual({
      code: "unexpected",
      message: "Command foo not allowed by ACL",
    });
    expect(toCommandError(new Error("boom"))).toEqual({ code: "unexpected", message: "boom" });
    expect(toCommandError(null).code).toBe("unexpected");
  });
});
