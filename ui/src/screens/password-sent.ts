// Password entry after registering: the password e-mailed to the new account links this
// computer; a password request e-mails a new one.

import type { AccountView, CommandError } from "../api";
import { callService, requireValue } from "../call";
import { markInvalid } from "../dom";
import type { Page } from "../page";

export interface PasswordSent {
  /** Shows the screen for the password just e-mailed to `email`. */
  open(email: string): void;
  /** Forgets the typed password and the error (once linked). */
  reset(): void;
}

export interface PasswordSentWays {
  linked(view: AccountView): void;
  /** This computer is linked to another account: the link screen offers the move. */
  linkedElsewhere(email: string, password: string, failure: CommandError): void;
}

export function createPasswordSent(page: Page, ways: PasswordSentWays): PasswordSent {
  const form = page.form("sent-form");
  const text = page.el("sent-text");
  const password = page.input("sent-password");
  const error = page.el("sent-error");
  const submitButton = page.button("sent-submit");
  const requestButton = page.button("request-password-again");
  /** The address the password was sent to. */
  let email = "";

  function reset(): void {
    password.value = "";
    markInvalid(password, false);
    page.say(error, null);
  }

  async function submit(): Promise<void> {
    page.say(error, null);
    markInvalid(password, false);
    if (!requireValue(page, password, "password", error)) {
      return;
    }
    const typed = password.value;
    const view = await callService(page, () => page.backend.link(email, typed, false), {
      slot: error,
      password,
      on: { machine_linked_elsewhere: (failure) => ways.linkedElsewhere(email, typed, failure) },
    });
    if (view !== null) {
      ways.linked(view.value);
    }
  }

  async function requestPassword(): Promise<void> {
    page.say(error, null);
    const to = email;
    const done = await callService(page, () => page.backend.requestPassword(to, page.lang()), { slot: error });
    if (done !== null) {
      page.notify("success", (t) => t.passwordRequestSent(to));
      password.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void page.guarded(submitButton, submit);
  });
  requestButton.addEventListener("click", () => void page.guarded(requestButton, requestPassword));

  return {
    open(to) {
      email = to;
      page.say(text, (t) => t.sentText(to));
      reset();
      page.show("password-sent", password);
    },
    reset,
  };
}
