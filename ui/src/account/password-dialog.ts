// The dialog that asks for the account password before a change (save the details,
// unlink another computer): one dialog, its words and its action given by the part.

import type { ErrorTarget } from "../call";
import { requireValue } from "../call";
import { closeModal, hidePassword, markInvalid, openModal } from "../dom";
import type { Page, Producer } from "../page";

export interface PasswordAction {
  title: Producer;
  text: Producer;
  submit: Producer;
  /** Runs with the typed password; the dialog stays open until the part closes it. */
  run(password: string): Promise<void>;
}

export interface PasswordDialog {
  open(action: PasswordAction, opener: HTMLElement): void;
  /** Closes it; the focus goes back to what opened it. */
  close(): void;
  isOpen(): boolean;
  /** Where a failed call's error shows: a wrong password marked, the password selected. */
  readonly errors: ErrorTarget;
}

export function createPasswordDialog(page: Page): PasswordDialog {
  const dialog = page.dialog("password-dialog");
  const form = page.form("password-dialog-form");
  const title = page.el("password-dialog-title");
  const text = page.el("password-dialog-text");
  const password = page.input("dialog-password");
  const submitButton = page.button("dialog-submit");
  const cancel = page.button("dialog-cancel");
  const error = page.el("dialog-error");
  let action: PasswordAction | null = null;
  let opener: HTMLElement | null = null;

  /** Runs once the dialog is closed, however it was (Escape included). */
  function afterClose(): void {
    password.value = "";
    action = null;
    const back = opener;
    opener = null;
    if (back !== null && back.isConnected) {
      back.focus();
    }
  }

  function close(): void {
    closeModal(dialog);
    afterClose();
  }

  async function submit(): Promise<void> {
    const current = action;
    if (current === null) {
      return;
    }
    page.say(error, null);
    markInvalid(password, false);
    if (!requireValue(page, password, "password", error)) {
      return;
    }
    await current.run(password.value);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void page.guarded(submitButton, submit);
  });
  cancel.addEventListener("click", () => {
    if (!page.busy()) {
      close();
    }
  });
  dialog.addEventListener("cancel", (event) => {
    // Escape: closes, unless a request is under way.
    if (page.busy()) {
      event.preventDefault();
    }
  });
  dialog.addEventListener("close", () => {
    if (action !== null) {
      afterClose();
    }
  });

  return {
    open(next, from) {
      action = next;
      opener = from;
      page.say(title, next.title);
      page.say(text, next.text);
      page.say(submitButton, next.submit);
      password.value = "";
      hidePassword(password);
      markInvalid(password, false);
      page.say(error, null);
      openModal(dialog);
      password.focus();
    },
    close,
    isOpen: () => dialog.hasAttribute("open"),
    errors: { slot: error, password, wrongPassword: (t) => t.wrongPassword },
  };
}
