// Unlinking this computer, after a confirmation whose safe choice comes first.

import { callService } from "../call";
import { closeModal, openModal } from "../dom";
import { groupCustomerId } from "../format";
import type { AccountContext, AccountPart } from "./context";

/** `left`: forgets the account once this computer is unlinked. */
export function createUnlinkThis(ctx: AccountContext, left: () => void): AccountPart {
  const { page } = ctx;
  const open = page.button("unlink-this");
  const dialog = page.dialog("unlink-dialog");
  const text = page.el("unlink-dialog-text");
  const error = page.el("unlink-error");
  const confirm = page.button("unlink-confirm");
  const cancel = page.button("unlink-cancel");

  function ask(): void {
    const view = ctx.view();
    if (view === null || ctx.readOnly()) {
      return;
    }
    const id = groupCustomerId(view.customer_id);
    page.say(text, (t) => t.unlinkDialogText(id));
    page.say(error, null);
    openModal(dialog);
    // The safe choice first: Enter right away does not unlink.
    cancel.focus();
  }

  function close(): void {
    closeModal(dialog);
    if (page.screen() === "account") {
      open.focus();
    }
  }

  async function unlink(): Promise<void> {
    // Already unlinked (elsewhere): the outcome the user asked for.
    let already = false;
    const done = await callService(page, () => page.backend.unlink(), {
      slot: error,
      unlinked: () => {
        already = true;
      },
    });
    if (done === null && !already) {
      return;
    }
    closeModal(dialog);
    left();
    page.show("welcome");
    page.notify("success", (t) => t.unlinkedNotice);
  }

  open.addEventListener("click", () => ask());
  confirm.addEventListener("click", () => void page.guarded(confirm, unlink));
  cancel.addEventListener("click", () => {
    if (!page.busy()) {
      close();
    }
  });
  dialog.addEventListener("cancel", (event) => {
    if (page.busy()) {
      event.preventDefault();
    }
  });

  return {
    render() {
      open.disabled = ctx.readOnly();
    },
    forget() {},
  };
}
