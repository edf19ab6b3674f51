// Adding several computers and tidying the list: the rules the page checks before asking
// the service (which checks them again) — an enrollment key's form, and which computers
// count as not seen for N days. Pure: the account screen's parts apply them.

import type { AccountView, FieldError, MachineView } from "./api";

/** The limits of account-api's `EnrollmentKeyRequest` and `UnlinkStaleRequest`. */
export const KEY_LABEL_MAX = 60;
export const KEY_USES = { min: 1, max: 500, default: 10 } as const;
export const KEY_DAYS = { min: 1, max: 90, default: 7 } as const;
export const STALE_DAYS = { min: 1, max: 3650, default: 30 } as const;

/** The command lines shown with a new key (the CLI's and the installer's). */
export const KEY_FILE_COMMAND = "customer-account link --enrollment-key-file key.txt";
export const KEY_FILE_INSTALLER = "/S /ENROLLMENTKEYFILE=key.txt";

export interface KeyRequest {
  label: string;
  uses: number;
  validDays: number;
}

function refused(field: string, code: string): FieldError {
  return { field, code, message: code };
}

const CONTROL = /\p{Cc}/u;

/** A whole number typed in a number input, or why not (`empty`, `out_of_range`). */
export function readWholeNumber(
  typed: string,
  field: string,
  range: { min: number; max: number },
): { value: number } | FieldError {
  const text = typed.trim();
  if (text === "") {
    return refused(field, "empty");
  }
  if (!/^\d+$/.test(text)) {
    return refused(field, "out_of_range");
  }
  const value = Number(text);
  return value >= range.min && value <= range.max ? { value } : refused(field, "out_of_range");
}

/** The key form's values as the service takes them, or its fields' errors (service keys). */
export function readKeyForm(typed: { label: string; uses: string; days: string }): KeyRequest | FieldError[] {
  const errors: FieldError[] = [];
  const label = typed.label.trim();
  if (label === "") {
    errors.push(refused("label", "empty"));
  } else if ([...label].length > KEY_LABEL_MAX) {
    errors.push(refused("label", "too_long"));
  } else if (CONTROL.test(label)) {
    errors.push(refused("label", "control_characters"));
  }
  const uses = readWholeNumber(typed.uses, "uses", KEY_USES);
  const days = readWholeNumber(typed.days, "valid_days", KEY_DAYS);
  for (const read of [uses, days]) {
    if (!("value" in read)) {
      errors.push(read);
    }
  }
  if (errors.length > 0 || !("value" in uses) || !("value" in days)) {
    return errors;
  }
  return { label, uses: uses.value, validDays: days.value };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The computers not seen for `days` days at `now`, oldest first — never this one (the
 * service keeps it anyway), nor one whose last-seen date cannot be read.
 */
export function staleMachines(view: AccountView, days: number, now: Date): MachineView[] {
  const before = now.getTime() - days * DAY_MS;
  return view.machines
    .filter((m) => m.machine_id !== view.this_machine_id)
    .filter((m) => {
      const seen = new Date(m.last_seen_at).getTime();
      return !Number.isNaN(seen) && seen < before;
    })
    .sort((a, b) => new Date(a.last_seen_at).getTime() - new Date(b.last_seen_at).getTime());
}

export type KeyStatus = "active" | "expired" | "used_up" | "revoked";

/** The key's status as the service says it; an unknown word reads as not usable (expired). */
export function keyStatus(status: string): KeyStatus {
  return status === "active" || status === "used_up" || status === "revoked" ? status : "expired";
}
