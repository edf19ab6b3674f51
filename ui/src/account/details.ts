// The account's details: edited in place, saved with the account password (the dialog);
// the service's refusals under each field; a new e-mail address waits for its code.

import type { AccountView } from "../api";
import { callService, clearFormErrors, type DetailsForm, showFormErrors } from "../call";
import {
  detailsToValues,
  emptyValues,
  type FormValues,
  mergeReloaded,
  missingRequired,
  readForm,
  valuesToDetails,
  writeForm,
} from "../form";
import { byId } from "../dom";
import { pendingEmail } from "../state";
import type { Banners } from "./banners";
import type { AccountContext, AccountPart } from "./context";
import type { EmailChange } from "./email-change";

export interface Details extends AccountPart {
  /** Fills the form from `view`; on the same account, fields typed in keep their text unless `replace`. */
  load(view: AccountView, sameAccount: boolean, replace: boolean): void;
  /** Empties the line under the form. */
  clearSummary(): void;
}

export function createDetails(ctx: AccountContext, emailChange: EmailChange, banners: Banners): Details {
  const { page } = ctx;
  const form = page.form("account-form");
  const fields = byId(page.doc, "account-fields", HTMLFieldSetElement);
  const validate = page.button("validate");
  const requestPassword = page.button("email-password");
  const target: DetailsForm = { form, prefix: "account-", summary: page.el("account-form-error") };
  /** The details the form was last loaded from (to tell typed fields apart). */
  let baseline: FormValues = emptyValues();

  function clearErrors(): void {
    clearFormErrors(page, target);
  }

  function validateForm(): void {
    if (ctx.view() === null || ctx.readOnly()) {
      return;
    }
    page.notify("info", null);
    page.say(target.summary, null);
    const missing = missingRequired(readForm(form));
    if (missing.length > 0) {
      showFormErrors(page, target, missing)?.focus();
      return;
    }
    ctx.passwordDialog.open(
      {
        title: (t) => t.saveDialogTitle,
        text: (t) => t.saveDialogText,
        submit: (t) => t.saveDialogSubmit,
        run: save,
      },
      validate,
    );
  }

  async function save(password: string): Promise<void> {
    const view = ctx.view();
    if (view === null) {
      return;
    }
    const dialog = ctx.passwordDialog;
    const details = valuesToDetails(readForm(form), view.details.language ?? null);
    const saved = await ctx.call(() => page.backend.edit(password, view.version, details), {
      ...dialog.errors,
      on: {
        invalid_fields: (failure) => {
          dialog.close();
          showFormErrors(page, target, failure.fields ?? [])?.focus();
        },
        email_unavailable: (failure) => {
          dialog.close();
          page.showFieldErrors(form, target.prefix, [
            { field: "email", code: "email_unavailable", message: failure.message },
          ]).first?.focus();
          page.say(target.summary, null);
        },
        changed_elsewhere: () => {
          dialog.close();
          banners.showConflict();
        },
      },
      // Anything else (a wrong password, too many tries, the service unreachable…): the
      // dialog stays, to try again.
    });
    if (saved === null) {
      return;
    }
    dialog.close();
    clearErrors();
    banners.hideConflict();
    const pending = pendingEmail(saved.value);
    const askedNewEmail = details.email.trim() !== view.details.email;
    if (pending !== null && askedNewEmail) {
      // A new code is on its way: one typed for an earlier one would be refused.
      emailChange.clearCode();
    }
    ctx.setAccount(saved.value, true);
    if (pending !== null && askedNewEmail) {
      page.notify("success", (t) => t.savedEmailPending(pending));
      emailChange.focusCode();
    } else {
      page.notify("success", (t) => t.saved);
    }
  }

  async function requestNewPassword(): Promise<void> {
    const view = ctx.view();
    if (view === null) {
      return;
    }
    const email = view.details.email;
    // A password request only e-mails: whatever fails (even "no longer linked") is only said.
    const done = await callService(page, () => page.backend.requestPassword(email, page.lang()), {});
    if (done !== null) {
      page.notify("success", (t) => t.passwordRequestSent(email));
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!page.busy()) {
      validateForm();
    }
  });
  requestPassword.addEventListener("click", () => void page.guarded(requestPassword, requestNewPassword));

  return {
    load(view, sameAccount, replace) {
      const fresh = detailsToValues(view.details);
      const values = sameAccount && !replace ? mergeReloaded(baseline, readForm(form), fresh) : fresh;
      if (!sameAccount) {
        clearErrors();
      }
      baseline = fresh;
      writeForm(form, values);
    },
    clearSummary: () => page.say(target.summary, null),
    render() {
      const readOnly = ctx.readOnly();
      fields.disabled = readOnly;
      validate.disabled = readOnly;
      requestPassword.disabled = readOnly;
    },
    forget() {
      baseline = emptyValues();
      writeForm(form, emptyValues());
      clearErrors();
    },
  };
}
