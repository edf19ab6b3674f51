// Register: the company's details, prefilled from the host software; the service then
// e-mails the account password, which the password-entry screen asks for.

import type { AccountDetails } from "../api";
import { callService, clearFormErrors, type DetailsForm, showError, showFormErrors } from "../call";
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
import type { Page } from "../page";

export interface Register {
  /** Fills the form from the host's context; fields the user typed in keep their text. */
  prefill(details: AccountDetails): void;
}

export function createRegister(page: Page, passwordSent: (email: string) => void): Register {
  const form = page.form("register-form");
  const submitButton = page.button("register-submit");
  const target: DetailsForm = { form, prefix: "", summary: page.el("form-error") };
  /** The prefill the form was last filled from (to tell typed fields apart). */
  let baseline: FormValues = emptyValues();

  async function submit(): Promise<void> {
    const values = readForm(form);
    page.notify("info", null);
    const missing = missingRequired(values);
    if (missing.length > 0) {
      showFormErrors(page, target, missing)?.focus();
      return;
    }
    const done = await callService(page, () => page.backend.register(valuesToDetails(values, page.lang())), {
      on: {
        invalid_fields: (failure) => {
          const first = showFormErrors(page, target, failure.fields ?? []);
          (first ?? form.querySelector<HTMLElement>("input"))?.focus();
        },
      },
      otherwise: (failure) => {
        clearFormErrors(page, target);
        showError(page, failure, { slot: target.summary });
      },
    });
    if (done === null) {
      return;
    }
    clearFormErrors(page, target);
    passwordSent(values.email.trim());
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void page.guarded(submitButton, submit);
  });

  return {
    prefill(details) {
      const fresh = detailsToValues(details);
      writeForm(form, mergeReloaded(baseline, readForm(form), fresh));
      baseline = fresh;
    },
  };
}
