// The contract with the app's Rust side (src-tauri/app.rs): the commands the page may
// invoke, their argument keys (snake_case, exactly), what they answer and how they fail.
// The page never holds a machine token: it sends what the user typed and gets account
// data and error codes back.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { writeText } from "@tauri-apps/plugin-clipboard-manager";

export type Language = "fr" | "en";

export interface PostalAddress {
  street: string;
  postal_code: string;
  city: string;
  /** ISO 3166 two-letter code; empty means France. */
  country: string;
}

export interface AccountDetails {
  email: string;
  company_name: string;
  contact_first_name: string;
  contact_last_name: string;
  phone: string;
  siret?: string | null;
  address?: PostalAddress | null;
  /** Language of the account's e-mails. */
  language?: Language | null;
}

export interface MachineView {
  machine_id: string;
  name: string;
  os: string;
  app_version: string;
  /** RFC 3339. */
  linked_at: string;
  /** RFC 3339. */
  last_seen_at: string;
  /** Another linked machine reports the same machine identifier (a cloned image). */
  shares_identity: boolean;
}

export interface SupportSession {
  at: string;
  minutes: number;
  agent: string;
  note: string;
}

export interface AccountView {
  /** Digits only, check digit included. */
  customer_id: string;
  details: AccountDetails;
  support_time: {
    /** Negative when overdrawn. */
    balance_minutes: number;
    recent_sessions: SupportSession[];
  };
  machines: MachineView[];
  this_machine_id: string;
  /** Sent back with an edit: a stale version means the account changed elsewhere. */
  version: number;
  /**
   * A new e-mail address asked for with Validate, waiting for the code mailed to it;
   * `details.email` stays the account's address until the code is entered. Absent: none.
   */
  pending_email?: string | null;
  created_at: string;
  updated_at: string;
}

export interface Startup {
  language: Language;
  service_url: string;
  version: string;
  /** Prefilled from the host software's context (the company open in it). */
  registration_form: AccountDetails;
}

export type Status =
  | { state: "not_linked" }
  | { state: "linked"; account: AccountView }
  | { state: "offline"; account: AccountView; fetched_at: string };

export interface FieldError {
  /** The request's field, dotted for nested ones ("address.postal_code"). */
  field: string;
  code: string;
  /** English, for logs. */
  message: string;
}

export interface CommandError {
  code: string;
  /** English, for logs: the page shows its own text for `code`. */
  message: string;
  fields?: FieldError[];
  retry_after_seconds?: number;
  /** The service's own code behind a `service_error`, when the app passes it on. */
  service_code?: string;
}

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
  /** A second launch of the program handed new host context. */
  onHostContext(handler: (startup: Startup) => void): Promise<() => void>;
  copyText(text: string): Promise<void>;
}

/** Runs a command; rejects with a `CommandError` whatever went wrong. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error: unknown) {
    throw toCommandError(error);
  }
}

/** The real app, through Tauri's IPC. */
export const tauriBackend: Backend = {
  startup: () => call<Startup>("startup"),
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
  onHostContext: (handler) => listen<Startup>("host-context", (event) => handler(event.payload)),
  copyText: async (text) => {
    try {
      await writeText(text);
    } catch (error: unknown) {
      throw toCommandError(error);
    }
  },
};
