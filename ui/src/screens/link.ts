// Link: the account's e-mail address, then its password (typed, or asked for by e-mail);
// a computer linked to another account may be moved to this one.

import type { AccountView, CommandError } from "../api";
import { callService, requireValue, showError } from "../call";
import { focusToCorrect, markInvalid } from "../dom";
import type { Page } from "../page";

export interface Link {
  /** Shows the screen, with this address and password when given. */
  open(email: string | null, password: string | null): void;
  /** Why linking failed; a computer linked elsewhere gets the offer to move. */
  failed(failure: CommandError): void;
  /** Forgets the typed password, the error and the offer to move (once linked). */
  reset(): void;
}

/** `prefill`: the address the host's context suggests, when the field is empty. */
export function createLink(page: Page, prefill: () => string | null, linked: (view: AccountView) => void): Link {
  const form = page.form("link-form");
  const email = page.input("link-email");
  const requestButton = page.button("link-send-password");
  const havePassword = page.button("link-have-password");
  const passwordPart = page.el("link-password-part");
  const password = page.input("link-password");
  const submitButton = page.button("link-submit");
  const move = page.button("link-move");
  const error = page.el("link-error");

  function showPassword(visible: boolean): void {
    passwordPart.hidden = !visible;
    submitButton.hidden = !visible;
  }

  function emailReady(): boolean {
    page.say(error, null);
    markInvalid(email, false);
    return requireValue(page, email, "email", error);
  }

  function failed(failure: CommandError): void {
    showError(page, failure, { slot: error });
    const emailRefused = failure.fields?.some((f) => f.field === "email") ?? false;
    markInvalid(email, emailRefused);
    markInvalid(password, failure.code === "invalid_credentials");
    move.hidden = failure.code !== "machine_linked_elsewhere";
    if (!move.hidden) {
      move.focus();
    } else if (emailRefused) {
      email.focus();
    } else if (failure.code === "invalid_credentials" && !passwordPart.hidden) {
      focusToCorrect(password);
    }
  }

  async function requestPassword(): Promise<void> {
    if (!emailReady()) {
      return;
    }
    const to = email.value.trim();
    const done = await callService(page, () => page.backend.requestPassword(to, page.lang()), { otherwise: failed });
    if (done !== null) {
      page.notify("success", (t) => t.passwordRequestSentIfAccount(to));
      showPassword(true);
      password.focus();
    }
  }

  function askPassword(): void {
    if (!emailReady()) {
      return;
    }
    showPassword(true);
    password.focus();
  }

  async function submit(moveMachine: boolean): Promise<void> {
    if (!emailReady()) {
      return;
    }
    if (passwordPart.hidden) {
      askPassword();
      return;
    }
    markInvalid(password, false);
    if (!requireValue(page, password, "password", error)) {
      return;
    }
    const view = await callService(
      page,
      () => page.backend.link(email.value.trim(), password.value, moveMachine),
      { otherwise: failed },
    );
    if (view !== null) {
      linked(view.value);
    }
  }

  requestButton.addEventListener("click", () => void page.guarded(requestButton, requestPassword));
  havePassword.addEventListener("click", () => askPassword());
  email.addEventListener("keydown", (event) => {
    // Enter in the e-mail field: on to the password (never sends an e-mail by itself).
    if (event.key === "Enter") {
      event.preventDefault();
      void page.guarded(submitButton, () => submit(false));
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void page.guarded(submitButton, () => submit(false));
  });
  move.addEventListener("click", () => void page.guarded(move, () => submit(true)));

  return {
    open(typedEmail, typedPassword) {
      const suggested = prefill();
      if (typedEmail !== null) {
        email.value = typedEmail;
      } else if (email.value.trim() === "" && suggested !== null) {
        email.value = suggested;
      }
      password.value = typedPassword ?? "";
      showPassword(typedPassword !== null);
      move.hidden = true;
      markInvalid(email, false);
      markInvalid(password, false);
      page.say(error, null);
      page.show("link");
    },
    failed,
    reset() {
      password.value = "";
      move.hidden = true;
      page.say(error, null);
    },
  };
}
