// The contract with the app's Rust side (src-tauri/app.rs, src-tauri/commands.rs): the
// commands the page may invoke, their argument keys (snake_case, exactly), what they
// answer and how they fail. The page never holds a machine token: it sends what the user
// typed and gets account data and error codes back.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { writeText } from "@tauri-apps/plugin-clipboard-manager";

// The types and the commands' names are generated from the Rust side
// (src-tauri/bindings.rs): never edit them here.
import type { AccountDetails } from "./generated/AccountDetails";
import type { AccountView } from "./generated/AccountView";
import type { CommandError } from "./generated/CommandError";
import type { EnrollmentKeyCreated } from "./generated/EnrollmentKeyCreated";
import type { EnrollmentKeyView } from "./generated/EnrollmentKeyView";
import type { Language } from "./generated/Language";
import type { Snapshot } from "./generated/Snapshot";
import type { Startup } from "./generated/Startup";
import type { Status } from "./generated/Status";
import type { Command } from "./generated/commands";

export type {
  AccountDetails,
  AccountView,
  CommandError,
  EnrollmentKeyCreated,
  EnrollmentKeyView,
  Language,
  Snapshot,
  Startup,
  Status,
};
export type { EnrollmentKeyUse } from "./generated/EnrollmentKeyUse";
export { COMMANDS, type Command } from "./generated/commands";
export type { FieldError } from "./generated/FieldError";
export type { MachineView } from "./generated/MachineView";
export type { PostalAddress } from "./generated/PostalAddress";
export type { SupportCall } from "./generated/SupportCall";
export type { SupportTime } from "./generated/SupportTime";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Whatever a command rejected with, as a `CommandError` (a plain string becomes `unexpected`). */
export function toCommandError(error: unknown): CommandError {
  if (isRecord(error) && typeof error["code"] === "string") {
    const result: CommandError = {
      code: error["code"],
      message: typeof error["message"] === "string" ? error["message"] : "",
    };
    const fields = error["fields"];
    if (Array.isArray(fields)) {
      result.fields = fields.filter(isRecord).map((f) => ({
        field: String(f["field"] ?? ""),
        code: String(f["code"] ?? ""),
        message: String(f["message"] ?? ""),
      }));
    }
    const wait = error["retry_after_seconds"];
    if (typeof wait === "number" && Number.isFinite(wait)) {
      result.retry_after_seconds = wait;
    }
    const serviceCode = error["service_code"];
    if (typeof serviceCode === "string") {
      result.service_code = serviceCode;
    }
    return result;
  }
  if (error instanceof Error) {
    return { code: "unexpected", message: error.message };
  }
  return { code: "unexpected", message: String(error) };
}

/** Everything the page asks of the app; the tests give it a fake. */
export interface Backend {
  startup(): Promise<Startup>;
  /**
   * The last account this computer saw, from its data folder alone (no credential store,
   * no service): painted at once, marked as being refreshed, until `accountStatus` answers.
   */
  accountSnapshot(): Promise<Snapshot | null>;
  accountStatus(): Promise<Status>;
  register(details: AccountDetails): Promise<null>;
  requestPassword(email: string, language: Language): Promise<null>;
  link(email: string, password: string, moveMachine: boolean): Promise<AccountView>;
  edit(password: string, version: number, details: AccountDetails): Promise<AccountView>;
  /** Makes the pending new address the account's, with the code mailed to it (as typed). */
  confirmEmail(code: string): Promise<AccountView>;
  /** Drops the pending change of address (none pending: answers the account as it is). */
  cancelEmailChange(): Promise<AccountView>;
  unlink(): Promise<null>;
  unlinkMachine(machineId: string, password: string): Promise<null>;
  /**
   * Unlinks, with the account password, the computers listed to the user as not seen for
   * `notSeenDays` days; answers the IDs actually unlinked (one seen since is kept).
   */
  unlinkStaleMachines(password: string, notSeenDays: number, machineIds: string[]): Promise<string[]>;
  /** The account's enrollment keys (never the keys themselves). */
  enrollmentKeys(): Promise<EnrollmentKeyView[]>;
  /** A key to link several computers (password asked); the key is in the answer only. */
  createEnrollmentKey(
    password: string,
    label: string,
    uses: number | null,
    validDays: number | null,
  ): Promise<EnrollmentKeyCreated>;
  revokeEnrollmentKey(keyId: number): Promise<null>;
  /** A second launch of the program handed new host context. */
  onHostContext(handler: (startup: Startup) => void): Promise<() => void>;
  copyText(text: string): Promise<void>;
}

/**
 * What the app hands the page before it loads (src-tauri/app.rs, `first_paint_script`):
 * `startup`'s answer and the last snapshot, so that the first paint waits for no IPC round
 * trip (the first ones wait for the window's page load). Each is used once: what comes
 * after is asked through IPC.
 */
interface FirstPaint {
  startup: Startup;
  snapshot: Snapshot | null;
}

function handedOver(): FirstPaint | null {
  const holder = globalThis as { __CUSTOMER_ACCOUNT_FIRST_PAINT__?: FirstPaint };
  const handed = holder.__CUSTOMER_ACCOUNT_FIRST_PAINT__ ?? null;
  delete holder.__CUSTOMER_ACCOUNT_FIRST_PAINT__;
  return handed;
}

const firstPaint = handedOver();
let handedStartup: Startup | null = firstPaint?.startup ?? null;
let handedSnapshot: Snapshot | null | undefined = firstPaint === null ? undefined : firstPaint.snapshot;

function takeStartup(): Startup | null {
  const handed = handedStartup;
  handedStartup = null;
  return handed;
}

function takeSnapshot(): Snapshot | null | undefined {
  const handed = handedSnapshot;
  handedSnapshot = undefined;
  return handed;
}

/** Runs a command; rejects with a `CommandError` whatever went wrong. */
async function call<T>(command: Command, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error: unknown) {
    throw toCommandError(error);
  }
}

/** The real app, through Tauri's IPC. */
export const tauriBackend: Backend = {
  startup: () => {
    const handed = takeStartup();
    return handed !== null ? Promise.resolve(handed) : call<Startup>("startup");
  },
  accountSnapshot: () => {
    const handed = takeSnapshot();
    return handed !== undefined ? Promise.resolve(handed) : call<Snapshot | null>("account_snapshot");
  },
  accountStatus: () => call<Status>("account_status"),
  register: (details) => call<null>("register", { details }),
  requestPassword: (email, language) => call<null>("request_password", { email, language }),
  link: (email, password, moveMachine) =>
    call<AccountView>("link", { email, password, move_machine: moveMachine }),
  edit: (password, version, details) => call<AccountView>("edit", { password, version, details }),
  confirmEmail: (code) => call<AccountView>("confirm_email", { code }),
  cancelEmailChange: () => call<AccountView>("cancel_email_change"),
  unlink: () => call<null>("unlink"),
  unlinkMachine: (machineId, password) =>
    call<null>("unlink_machine", { machine_id: machineId, password }),
  unlinkStaleMachines: (password, notSeenDays, machineIds) =>
    call<string[]>("unlink_stale_machines", { password, not_seen_days: notSeenDays, machine_ids: machineIds }),
  enrollmentKeys: () => call<EnrollmentKeyView[]>("enrollment_keys"),
  createEnrollmentKey: (password, label, uses, validDays) =>
    call<EnrollmentKeyCreated>("create_enrollment_key", { password, label, uses, valid_days: validDays }),
  revokeEnrollmentKey: (keyId) => call<null>("revoke_enrollment_key", { key_id: keyId }),
  onHostContext: (handler) => listen<Startup>("host-context", (event) => handler(event.payload)),
  copyText: async (text) => {
    try {
      await writeText(text);
    } catch (error: unknown) {
      throw toCommandError(error);
    }
  },
};
