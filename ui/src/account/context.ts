// What the parts of the account screen share (types only: the screen, account.ts, builds
// it and hands it to each part, so no part imports another's module).

import type { AccountView, Status } from "../api";
import type { ErrorTarget } from "../call";
import type { Texts } from "../i18n";
import type { Page } from "../page";
import type { PasswordDialog } from "./password-dialog";

export interface AccountContext {
  readonly page: Page;
  /** The account on show, if any. */
  view(): AccountView | null;
  /** Offline, or the last snapshot waiting for its refresh: last known data, read-only. */
  readOnly(): boolean;
  /** The last snapshot on show, waiting for its refresh (read-only too). */
  refreshing(): boolean;
  /** When the data on show was fetched (offline or refreshing only). */
  fetchedAt(): string | null;
  /** Shows a fresh account (online); typed fields keep their text unless `replace`. */
  setAccount(view: AccountView, replace?: boolean): void;
  /** Shows what a status says: the account (what was typed kept), or Welcome. */
  applyStatus(status: Status): void;
  /** Asks for the status again and shows it; a failure goes to the notice. */
  refresh(): Promise<void>;
  /** A service call from this screen: "no longer linked" leads back to Welcome. */
  call<T>(call: () => Promise<T>, target: ErrorTarget): Promise<{ value: T } | null>;
  readonly passwordDialog: PasswordDialog;
}

/** A part of the account screen. */
export interface AccountPart {
  /** Draws the account: new data, another language, offline or back online. */
  render(view: AccountView, t: Texts): void;
  /** No account from now on, or another one: forgets what belonged to the last. */
  forget(): void;
}
