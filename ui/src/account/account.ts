// The account screen: holds the account on show and hands it to its parts (customer ID,
// support time, details with the change of e-mail address, computers — with the enrollment
// keys that add several and the unlinking of inactive ones —, unlinking this one, the
// offline and "changed elsewhere" banners).

import type { AccountView, CommandError, Snapshot, Status } from "../api";
import { callService, describeError } from "../call";
import { closeModal } from "../dom";
import { groupCustomerId } from "../format";
import { texts } from "../i18n";
import type { Page } from "../page";
import { type AccountMode, accountMode, snapshotMode } from "../state";
import { createBanners } from "./banners";
import type { AccountContext, AccountPart } from "./context";
import { createCustomerId } from "./customer-id";
import { createDetails } from "./details";
import { createEmailChange } from "./email-change";
import { createEnrollmentKeys } from "./enrollment-keys";
import { createMachines } from "./machines";
import { createPasswordDialog } from "./password-dialog";
import { createStaleMachines } from "./stale-machines";
import { createSupportTime } from "./support-time";
import { createUnlinkThis } from "./unlink-this";

export interface AccountScreen {
  /** Shows what a status says: the account, or Welcome when this computer is not linked. */
  applyStatus(status: Status): void;
  /** This computer was just linked to `view`'s account. */
  linked(view: AccountView): void;
  /** Paints the last snapshot, read-only and marked as being refreshed, until a status comes. */
  showSnapshot(snapshot: Snapshot): void;
  /** Whether the account on show is the snapshot still waiting for its refresh. */
  refreshing(): boolean;
  /** No account on show any more (the refresh failed: the page says why elsewhere). */
  leave(): void;
}

export function createAccountScreen(page: Page, copiedFeedbackMs: number): AccountScreen {
  let account: AccountView | null = null;
  let readOnly = false;
  let refreshing = false;
  let fetchedAt: string | null = null;
  const screen = page.el("screen-account");
  const unlinkDialog = page.dialog("unlink-dialog");

  const ctx: AccountContext = {
    page,
    view: () => account,
    readOnly: () => readOnly,
    refreshing: () => refreshing,
    fetchedAt: () => fetchedAt,
    setAccount: (view, replace = false) =>
      setAccount({ account: view, readOnly: false, refreshing: false, fetchedAt: null }, replace),
    applyStatus,
    async refresh() {
      const status = await ctx.call(() => page.backend.accountStatus(), {});
      if (status !== null) {
        applyStatus(status.value);
      }
    },
    call: (call, target) => callService(page, call, { unlinked: backToWelcome, ...target }),
    passwordDialog: createPasswordDialog(page),
  };

  const banners = createBanners(ctx, () => details.clearSummary());
  const emailChange = createEmailChange(ctx);
  const details = createDetails(ctx, emailChange, banners);
  const parts: AccountPart[] = [
    createCustomerId(ctx, copiedFeedbackMs),
    createSupportTime(ctx),
    createMachines(ctx),
    createEnrollmentKeys(ctx),
    createStaleMachines(ctx),
    banners,
    emailChange,
    details,
    createUnlinkThis(ctx, leave),
  ];

  function render(): void {
    if (account !== null) {
      const t = texts(page.lang());
      for (const part of parts) {
        part.render(account, t);
      }
    }
  }

  function setAccount(mode: AccountMode, replace: boolean): void {
    const view = mode.account;
    const sameAccount = account !== null && account.customer_id === view.customer_id;
    if (!sameAccount) {
      banners.hideConflict();
    }
    details.load(view, sameAccount, replace);
    account = view;
    readOnly = mode.readOnly;
    refreshing = mode.refreshing;
    fetchedAt = mode.fetchedAt;
    if (refreshing) {
      screen.setAttribute("aria-busy", "true");
    } else {
      screen.removeAttribute("aria-busy");
    }
    render();
  }

  /** No account on show any more. */
  function leave(): void {
    account = null;
    readOnly = false;
    refreshing = false;
    fetchedAt = null;
    screen.removeAttribute("aria-busy");
    for (const part of parts) {
      part.forget();
    }
  }

  function applyStatus(status: Status): void {
    const mode = accountMode(status);
    if (mode === null) {
      leave();
      page.show("welcome");
      return;
    }
    // From the snapshot to the same account fresh: updated in place (the snapshot was
    // read-only, nothing typed to keep).
    setAccount(mode, false);
    if (page.screen() !== "account") {
      page.show("account");
    }
  }

  function backToWelcome(failure: CommandError): void {
    if (ctx.passwordDialog.isOpen()) {
      ctx.passwordDialog.close();
    }
    closeModal(unlinkDialog);
    leave();
    page.show("welcome");
    page.notify("error", (_t, l) => describeError(failure, l));
  }

  page.onLanguage(render);

  return {
    applyStatus,
    linked(view) {
      leave();
      setAccount({ account: view, readOnly: false, refreshing: false, fetchedAt: null }, true);
      page.show("account");
      const id = groupCustomerId(view.customer_id);
      page.notify("success", (t) => t.linkedNotice(id));
    },
    showSnapshot(snapshot) {
      setAccount(snapshotMode(snapshot), true);
      page.show("account");
    },
    refreshing: () => refreshing,
    leave,
  };
}
