// Unlinking inactive computers in one step: the ones not seen for N days are listed first
// (never this one), then unlinked with the account password.

import type { MachineView } from "../api";
import { sayFieldError, showError } from "../call";
import { focusToCorrect } from "../dom";
import { readWholeNumber, STALE_DAYS, staleMachines } from "../enrollment";
import { formatDateTime } from "../format";
import type { Lang, Texts } from "../i18n";
import type { AccountContext, AccountPart } from "./context";

export function createStaleMachines(ctx: AccountContext): AccountPart {
  const { page } = ctx;
  const days = page.input("stale-days");
  const unlink = page.button("unlink-stale");
  const error = page.el("stale-days-error");

  function ask(): void {
    const view = ctx.view();
    if (view === null || ctx.readOnly() || page.busy()) {
      return;
    }
    page.notify("info", null);
    const read = readWholeNumber(days.value, "not_seen_days", STALE_DAYS);
    if (!("value" in read)) {
      sayFieldError(page, days, error, read);
      focusToCorrect(days);
      return;
    }
    sayFieldError(page, days, error, null);
    const notSeenDays = read.value;
    const stale = staleMachines(view, notSeenDays, new Date());
    if (stale.length === 0) {
      page.notify("info", (t) => t.staleNone(notSeenDays));
      return;
    }
    const count = stale.length;
    const lines = (t: Texts, l: Lang) =>
      stale.map((m) => t.staleLine(m.name, formatDateTime(m.last_seen_at, l, page.timeZone))).join("\n");
    ctx.passwordDialog.open(
      {
        title: (t) => t.staleDialogTitle(notSeenDays),
        text: (t, l) => t.staleDialogText(count, notSeenDays, lines(t, l)),
        submit: (t) => t.staleSubmit(count),
        run: (password) => unlinkStale(password, notSeenDays, stale),
      },
      unlink,
    );
  }

  async function unlinkStale(password: string, notSeenDays: number, stale: MachineView[]): Promise<void> {
    const dialog = ctx.passwordDialog;
    const listed = stale.length;
    const done = await ctx.call(
      () =>
        page.backend.unlinkStaleMachines(
          password,
          notSeenDays,
          stale.map((m) => m.machine_id),
        ),
      {
        ...dialog.errors,
        on: {
          invalid_fields: (failure) => {
            const refused = failure.fields?.find((f) => f.field === "not_seen_days");
            if (refused === undefined) {
              showError(page, failure, dialog.errors);
              return;
            }
            dialog.close();
            sayFieldError(page, days, error, refused);
            focusToCorrect(days);
          },
        },
      },
    );
    if (done === null) {
      return;
    }
    dialog.close();
    const unlinked = done.value.length;
    page.notify("success", (t) => t.staleUnlinkedNotice(unlinked, listed));
    await ctx.refresh();
  }

  unlink.addEventListener("click", () => ask());
  days.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      ask();
    }
  });

  return {
    render() {
      unlink.disabled = ctx.readOnly();
    },
    forget() {
      days.value = String(STALE_DAYS.default);
      sayFieldError(page, days, error, null);
    },
  };
}
