// A new e-mail address waiting for the confirmation code mailed to it: shown under the
// e-mail field, confirmed with the code or cancelled.

import type { AccountView, CommandError, Status } from "../api";
import { callService, describeError } from "../call";
import { focusToCorrect, markInvalid } from "../dom";
import type { Texts } from "../i18n";
import { codeText } from "../messages";
import { afterRefusedCode, pendingEmail } from "../state";
import type { AccountContext, AccountPart } from "./context";

export interface EmailChange extends AccountPart {
  /** Empties the code field and its error. */
  clearCode(): void;
  focusCode(): void;
}

export function createEmailChange(ctx: AccountContext): EmailChange {
  const { page } = ctx;
  const panel = page.el("email-pending");
  const text = page.el("email-pending-text");
  const hint = page.el("email-pending-hint");
  const code = page.input("email-code");
  const error = page.el("email-code-error");
  const confirmButton = page.button("email-confirm");
  const cancelButton = page.button("email-cancel-change");
  const accountEmail = page.input("account-email");
  /** The new address the code field is for (a different one clears what was typed). */
  let codeFor: string | null = null;

  function clearCode(): void {
    code.value = "";
    markInvalid(code, false);
    page.say(error, null);
  }

  function render(view: AccountView, t: Texts): void {
    const pending = pendingEmail(view);
    if (pending !== codeFor) {
      clearCode();
      codeFor = pending;
    }
    panel.hidden = pending === null;
    text.textContent = pending === null ? "" : t.emailPendingText(pending);
    hint.textContent = pending === null ? "" : t.emailPendingHint(view.details.email);
  }

  async function confirm(): Promise<void> {
    const view = ctx.view();
    const pending = view === null ? null : pendingEmail(view);
    if (pending === null || ctx.readOnly()) {
      return;
    }
    // The notice of the save that sent the code would now cover the panel.
    page.notify("info", null);
    markInvalid(code, false);
    page.say(error, null);
    if (code.value.trim() === "") {
      markInvalid(code, true);
      page.say(error, (_t, l) => codeText("empty", l));
      code.focus();
      return;
    }
    const typed = code.value;
    const confirmed = await ctx.call(() => page.backend.confirmEmail(typed), {
      otherwise: (failure) => refused(pending, failure),
    });
    if (confirmed === null) {
      return;
    }
    // The new address replaces the old one in the form, unless the user typed there.
    ctx.setAccount(confirmed.value);
    const email = confirmed.value.details.email;
    page.notify("success", (t) => t.emailChangedNotice(email));
    accountEmail.focus();
  }

  async function refused(pending: string, failure: CommandError): Promise<void> {
    codeError(failure);
    if (failure.code !== "email_code_invalid") {
      return;
    }
    // Refused: the change may be gone (expired, too many wrong codes, cancelled or
    // confirmed elsewhere). Look, so as not to ask for a code nothing waits for.
    const answer = await callService(page, () => page.backend.accountStatus(), { otherwise: () => {} });
    if (answer === null) {
      return;
    }
    const status: Status = answer.value;
    if (status.state !== "linked") {
      ctx.applyStatus(status);
      return;
    }
    const outcome = afterRefusedCode(pending, status.account);
    if (outcome === "still-pending") {
      return;
    }
    ctx.applyStatus(status);
    const now = status.account.details.email;
    if (outcome === "confirmed") {
      page.notify("success", (t) => t.emailChangedNotice(now));
      accountEmail.focus();
    } else if (outcome === "dropped") {
      page.notify("error", (t) => t.emailChangeDropped(now));
      accountEmail.focus();
    } else {
      // Another address waits now: its own code is needed.
      codeError(failure);
    }
  }

  /** Why the code was not accepted, under the code field; what was typed stays. */
  function codeError(failure: CommandError): void {
    page.say(error, (_t, l) => {
      const field = failure.fields?.find((f) => f.field === "code") ?? failure.fields?.[0];
      return failure.code === "invalid_fields" && field !== undefined ? codeText(field.code, l) : describeError(failure, l);
    });
    markInvalid(code, failure.code === "email_code_invalid" || failure.code === "invalid_fields");
    focusToCorrect(code);
  }

  async function cancel(): Promise<void> {
    if (ctx.view() === null || ctx.readOnly()) {
      return;
    }
    page.notify("info", null);
    page.say(error, null);
    const after = await ctx.call(() => page.backend.cancelEmailChange(), { slot: error });
    if (after === null) {
      return;
    }
    ctx.setAccount(after.value);
    const email = after.value.details.email;
    page.notify("success", (t) => t.emailChangeCancelledNotice(email));
    accountEmail.focus();
  }

  confirmButton.addEventListener("click", () => void page.guarded(confirmButton, confirm));
  code.addEventListener("keydown", (event) => {
    // Enter in the code field confirms the address; it does not validate the form.
    if (event.key === "Enter") {
      event.preventDefault();
      void page.guarded(confirmButton, confirm);
    }
  });
  cancelButton.addEventListener("click", () => void page.guarded(cancelButton, cancel));

  return {
    render,
    clearCode,
    focusCode: () => code.focus(),
    forget() {
      panel.hidden = true;
      clearCode();
      codeFor = null;
    },
  };
}
