// The customer ID, grouped as read out on the phone, and its Copy button.

import { toCommandError } from "../api";
import { groupCustomerId } from "../format";
import type { AccountContext, AccountPart } from "./context";

export function createCustomerId(ctx: AccountContext, copiedFeedbackMs: number): AccountPart {
  const { page } = ctx;
  const shown = page.el("customer-id");
  const copy = page.button("copy-customer-id");
  let copiedTimer: ReturnType<typeof setTimeout> | null = null;

  async function copyDigits(): Promise<void> {
    const view = ctx.view();
    if (view === null) {
      return;
    }
    try {
      await page.backend.copyText(view.customer_id);
    } catch (error: unknown) {
      console.error("copy failed", toCommandError(error));
      page.doc.getSelection()?.selectAllChildren(shown);
      page.notify("error", (t) => t.copyFailed);
      return;
    }
    page.say(copy, (t) => t.copied);
    page.notify("success", (t) => t.copiedNotice);
    if (copiedTimer !== null) {
      clearTimeout(copiedTimer);
    }
    copiedTimer = setTimeout(() => {
      copiedTimer = null;
      page.unsay(copy);
    }, copiedFeedbackMs);
  }

  copy.addEventListener("click", () => void copyDigits());

  return {
    render(view) {
      shown.textContent = groupCustomerId(view.customer_id);
    },
    forget() {},
  };
}
