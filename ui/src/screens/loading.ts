// The first screen: asks for this computer's status; if that fails, says why and offers
// to try again. When the last snapshot is already painted, the status replaces it in
// place and this screen shows only if the status cannot be had.

import type { Status } from "../api";
import { callService } from "../call";
import type { Page } from "../page";

export interface Loading {
  /** Asks for the status and hands it to `shown`; stays on this screen if it fails. */
  load(): Promise<void>;
}

/** The last snapshot on show, if any (the account screen). */
export interface SnapshotOnShow {
  refreshing(): boolean;
  leave(): void;
}

export function createLoading(page: Page, shown: (status: Status) => void, snapshot: SnapshotOnShow): Loading {
  const screen = page.el("loading");
  const failure = page.el("loading-failure");
  const retry = page.button("loading-retry");

  async function load(): Promise<void> {
    if (!snapshot.refreshing()) {
      page.show("loading", null);
    }
    screen.setAttribute("aria-busy", "true");
    failure.hidden = true;
    const status = await callService(page, () => page.backend.accountStatus(), { slot: page.el("loading-error") });
    screen.removeAttribute("aria-busy");
    if (status !== null) {
      shown(status.value);
    } else {
      if (snapshot.refreshing()) {
        // Never left on show as if it were current: the failure is said instead.
        snapshot.leave();
        page.show("loading", null);
      }
      failure.hidden = false;
      retry.focus();
    }
  }

  retry.addEventListener("click", () => void page.guarded(retry, load));
  return { load };
}
