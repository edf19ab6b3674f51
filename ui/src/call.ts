// The one way the page runs a service call and shows why it failed: the text of its code
// (each refused field on its own line, the wait when rate-limited, "the service does not
// answer" when offline), where the user looks, and a wrong password marked in its input.

import type { CommandError, FieldError } from "./api";
import { toCommandError } from "./api";
import { focusToCorrect, markInvalid } from "./dom";
import type { Lang } from "./i18n";
import { codeText, errorText, fieldErrorLine, fieldErrorText } from "./messages";
import type { Page, Producer } from "./page";
import { meansUnlinked } from "./state";

/** A failure in words: the code's text, then one line per refused field. */
export function describeError(error: CommandError, lang: Lang): string {
  if (error.code === "invalid_fields" && error.fields !== undefined && error.fields.length > 0) {
    return [codeText("invalid_fields", lang), ...error.fields.map((f) => fieldErrorLine(f, lang))].join("\n");
  }
  return errorText(error, lang);
}

export type FailureHandler = (failure: CommandError) => void | Promise<void>;

/** Where a failure shows, and the codes a screen handles its own way. */
export interface ErrorTarget {
  /** Where the text goes; the notice when absent. */
  slot?: HTMLElement;
  /** The password the user typed: marked on a wrong password, focused and selected. */
  password?: HTMLInputElement;
  /** The words for a wrong password where the e-mail is not in question. */
  wrongPassword?: Producer;
  /** This computer is no longer linked (the account is gone from the page). */
  unlinked?: FailureHandler;
  /** Codes with their own handling, instead of the text at `slot`. */
  on?: Partial<Record<string, FailureHandler>>;
  /** Every other failure, instead of its text at `slot`. */
  otherwise?: FailureHandler;
}

/** Shows a failure's words at `slot` (or in the notice), a wrong password marked. */
export function showError(page: Page, failure: CommandError, target: ErrorTarget): void {
  const wrong = failure.code === "invalid_credentials";
  const words: Producer =
    wrong && target.wrongPassword !== undefined ? target.wrongPassword : (_t, l) => describeError(failure, l);
  if (target.slot === undefined) {
    page.notify("error", words);
  } else {
    page.say(target.slot, words);
  }
  if (target.password !== undefined) {
    markInvalid(target.password, wrong);
    focusToCorrect(target.password);
  }
}

/**
 * Runs a service call: its answer as `{ value }`, or null once the failure was handled
 * (by `unlinked`, its code's handler in `on`, `otherwise`, else shown at the target).
 */
export async function callService<T>(
  page: Page,
  call: () => Promise<T>,
  target: ErrorTarget,
): Promise<{ value: T } | null> {
  try {
    return { value: await call() };
  } catch (error: unknown) {
    const failure = toCommandError(error);
    const handler =
      (meansUnlinked(failure.code) ? target.unlinked : undefined) ?? target.on?.[failure.code] ?? target.otherwise;
    if (handler !== undefined) {
      await handler(failure);
    } else {
      showError(page, failure, target);
    }
    return null;
  }
}

/** A details form (register, account) and the line under it that sums up its errors. */
export interface DetailsForm {
  form: HTMLFormElement;
  /** The prefix of its error elements' ids ("" or "account-"). */
  prefix: string;
  summary: HTMLElement;
}

/**
 * Shows every refused field under its input and "some fields are wrong" (with the errors
 * no input shows) under the form; returns the first invalid input, for the focus.
 */
export function showFormErrors(page: Page, target: DetailsForm, errors: FieldError[]): HTMLElement | null {
  const { first, unplaced } = page.showFieldErrors(target.form, target.prefix, errors);
  page.say(target.summary, (_t, l) =>
    [codeText("invalid_fields", l), ...unplaced.map((e) => fieldErrorLine(e, l))].join("\n"),
  );
  return first;
}

export function clearFormErrors(page: Page, target: DetailsForm): void {
  page.clearFieldErrors(target.form, target.prefix);
  page.say(target.summary, null);
}

/** An empty required input: says so in `slot`, marks and focuses it. */
export function requireValue(page: Page, element: HTMLInputElement, field: string, slot: HTMLElement): boolean {
  if (element.value.trim() !== "") {
    return true;
  }
  markInvalid(element, true);
  page.say(slot, (_t, l) => fieldErrorLine({ field, code: "empty" }, l));
  element.focus();
  return false;
}

/** One field's error in `slot` beside its input (the words follow the language); null clears it. */
export function sayFieldError(
  page: Page,
  input: HTMLInputElement,
  slot: HTMLElement,
  error: Pick<FieldError, "code"> | null,
): void {
  markInvalid(input, error !== null);
  const code = error?.code;
  page.say(slot, code === undefined ? null : (_t, l) => fieldErrorText({ code }, l));
}
