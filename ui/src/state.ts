// Which screen shows what: pure rules, the DOM code applies them.

import type { AccountView, Snapshot, Status } from "./api";

export type ScreenId = "loading" | "welcome" | "register" | "password-sent" | "link" | "account";

/** The element of each screen; exactly one is displayed at a time. */
export const SCREEN_ELEMENT_IDS: Readonly<Record<ScreenId, string>> = {
  loading: "loading",
  welcome: "screen-welcome",
  register: "screen-register",
  "password-sent": "screen-password-sent",
  link: "screen-link",
  account: "screen-account",
};

export const SCREENS = Object.keys(SCREEN_ELEMENT_IDS) as ScreenId[];

/** How the account screen shows an account. */
export interface AccountMode {
  account: AccountView;
  /** Offline or refreshing: last known data, read-only, with a banner. */
  readOnly: boolean;
  /** The last snapshot, painted while the status is asked: never shown as fresh. */
  refreshing: boolean;
  /** When the shown data was fetched (offline or refreshing only). */
  fetchedAt: string | null;
}

export function accountMode(status: Status): AccountMode | null {
  switch (status.state) {
    case "not_linked":
      return null;
    case "linked":
      return { account: status.account, readOnly: false, refreshing: false, fetchedAt: null };
    case "offline":
      return { account: status.account, readOnly: true, refreshing: false, fetchedAt: status.fetched_at };
  }
}

/** The last snapshot, painted at start until the status answers: read-only, marked as refreshing. */
export function snapshotMode(snapshot: Snapshot): AccountMode {
  return { account: snapshot.account, readOnly: true, refreshing: true, fetchedAt: snapshot.fetched_at };
}

/** Codes after which the page no longer has an account to show: back to Welcome. */
export function meansUnlinked(code: string): boolean {
  return code === "not_linked";
}

/** This computer first, then the others by name. */
export function sortedMachines(account: AccountView): AccountView["machines"] {
  return [...account.machines].sort((a, b) => {
    const aThis = a.machine_id === account.this_machine_id ? 0 : 1;
    const bThis = b.machine_id === account.this_machine_id ? 0 : 1;
    return aThis - bThis || a.name.localeCompare(b.name, undefined, { sensitivity: "base" });
  });
}

/** The new e-mail address waiting for its code, if any. */
export function pendingEmail(account: AccountView): string | null {
  const pending = account.pending_email?.trim() ?? "";
  return pending === "" ? null : pending;
}

/**
 * Where a change of address stands after its code was refused, from the account fetched
 * again: the same change still waits (a mistyped code); the address changed meanwhile
 * (confirmed from another computer); another address now waits; or no change waits any
 * more (the code expired, too many wrong codes, or it was cancelled elsewhere).
 */
export type RefusedCodeOutcome = "still-pending" | "confirmed" | "replaced" | "dropped";

export function afterRefusedCode(pendingBefore: string, now: AccountView): RefusedCodeOutcome {
  const pending = pendingEmail(now);
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  if (pending !== null) {
    return same(pending, pendingBefore) ? "still-pending" : "replaced";
  }
  return same(now.details.email, pendingBefore) ? "confirmed" : "dropped";
}
