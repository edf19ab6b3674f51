// The banners over the account: refreshing (the last snapshot, painted at start until the
// status answers), offline (last known data, read-only, Retry) and "changed from another
// computer" (Reload, keeping what was typed).

import { formatDateTime } from "../format";
import { codeText } from "../messages";
import type { AccountContext, AccountPart } from "./context";

export interface Banners extends AccountPart {
  /** A save met a change made elsewhere: offers Reload. */
  showConflict(): void;
  hideConflict(): void;
}

/** `reloaded`: runs once the account was fetched again after a conflict. */
export function createBanners(ctx: AccountContext, reloaded: () => void): Banners {
  const { page } = ctx;
  const refreshing = page.el("refreshing-banner");
  const refreshingText = page.el("refreshing-text");
  const offline = page.el("offline-banner");
  const offlineText = page.el("offline-text");
  const retry = page.button("retry");
  const conflict = page.el("conflict-banner");
  const conflictText = page.el("conflict-text");
  const reload = page.button("reload");

  async function retryOffline(): Promise<void> {
    const status = await ctx.call(() => page.backend.accountStatus(), {});
    if (status === null) {
      return;
    }
    const wasReadOnly = ctx.readOnly();
    ctx.applyStatus(status.value);
    if (page.screen() === "account" && wasReadOnly && !ctx.readOnly()) {
      page.notify("success", (t) => t.backOnline);
      page.form("account-form").querySelector<HTMLElement>("input")?.focus();
    } else if (page.screen() === "account" && ctx.readOnly()) {
      page.notify("error", (_t, l) => codeText("service_unreachable", l));
    }
  }

  async function reloadAfterConflict(): Promise<void> {
    const status = await ctx.call(() => page.backend.accountStatus(), {});
    if (status === null) {
      return;
    }
    ctx.applyStatus(status.value);
    if (page.screen() === "account") {
      conflict.hidden = true;
      reloaded();
      page.notify("info", (t) => t.reloadedNotice);
      page.button("validate").focus();
    }
  }

  retry.addEventListener("click", () => void page.guarded(retry, retryOffline));
  reload.addEventListener("click", () => void page.guarded(reload, reloadAfterConflict));

  return {
    render(_view, t) {
      const since = ctx.fetchedAt();
      const date = since === null ? "" : formatDateTime(since, page.lang(), page.timeZone);
      const isRefreshing = ctx.refreshing();
      const isOffline = ctx.readOnly() && !isRefreshing;
      refreshing.hidden = !isRefreshing;
      refreshingText.textContent = isRefreshing ? t.refreshingText(date) : "";
      offline.hidden = !isOffline;
      offlineText.textContent = isOffline && since !== null ? t.offlineText(date) : "";
      conflictText.textContent = codeText("changed_elsewhere", page.lang());
    },
    forget() {
      conflict.hidden = true;
      offline.hidden = true;
      refreshing.hidden = true;
    },
    showConflict() {
      conflict.hidden = false;
      reload.focus();
    },
    hideConflict() {
      conflict.hidden = true;
    },
  };
}
