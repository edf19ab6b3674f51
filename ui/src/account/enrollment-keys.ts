// "Add several computers": an enrollment key made with the account password, shown once
// (with the command and the installer option that use it), and the account's keys listed
// with their uses, each active one revocable.

import type { CommandError, EnrollmentKeyCreated, EnrollmentKeyView, FieldError } from "../api";
import { toCommandError } from "../api";
import { describeError, sayFieldError, showError } from "../call";
import { focusToCorrect } from "../dom";
import {
  KEY_DAYS,
  KEY_FILE_COMMAND,
  KEY_FILE_INSTALLER,
  KEY_USES,
  type KeyRequest,
  keyStatus,
  readKeyForm,
} from "../enrollment";
import { formatDateTime } from "../format";
import { texts, type Texts } from "../i18n";
import { fieldErrorLine } from "../messages";
import type { AccountContext, AccountPart } from "./context";

export function createEnrollmentKeys(ctx: AccountContext): AccountPart {
  const { page } = ctx;
  const add = page.button("add-computers");
  const form = page.form("key-form");
  const create = page.button("key-create");
  const cancel = page.button("key-cancel");
  const formError = page.el("key-form-error");
  /** The form's inputs and where each one's error shows, by the service's field key. */
  const fields = {
    label: { input: page.input("key-label"), slot: page.el("key-label-error"), initial: "" },
    uses: { input: page.input("key-uses"), slot: page.el("key-uses-error"), initial: String(KEY_USES.default) },
    valid_days: { input: page.input("key-days"), slot: page.el("key-days-error"), initial: String(KEY_DAYS.default) },
  };
  type KeyField = keyof typeof fields;
  const panel = page.el("new-key");
  const about = page.el("new-key-about");
  const shownKey = page.el("new-key-value");
  const copy = page.button("new-key-copy");
  const close = page.button("new-key-close");
  const list = page.el("enrollment-keys");
  const none = page.el("no-enrollment-keys");
  const listError = page.el("enrollment-keys-error");
  page.el("new-key-command").textContent = KEY_FILE_COMMAND;
  page.el("new-key-installer").textContent = KEY_FILE_INSTALLER;

  /** The account whose keys are on show. */
  let shownFor: string | null = null;
  /** Its keys, once fetched (null: not yet). */
  let keys: EnrollmentKeyView[] | null = null;
  /** Each fetch's number: an answer to an older one is dropped. */
  let fetches = 0;
  let fetching = false;
  /** The key whose Revoke was clicked once, waiting for the confirmation. */
  let armed: number | null = null;

  function isKeyField(name: string): name is KeyField {
    return Object.prototype.hasOwnProperty.call(fields, name);
  }

  function clearErrors(): void {
    for (const { input, slot } of Object.values(fields)) {
      sayFieldError(page, input, slot, null);
    }
    page.say(formError, null);
  }

  /** Each error beside its input, the others under the form; the first input focused. */
  function showErrors(errors: readonly FieldError[]): void {
    clearErrors();
    const unplaced: FieldError[] = [];
    let first: HTMLInputElement | null = null;
    for (const name of Object.keys(fields) as KeyField[]) {
      const error = errors.find((e) => e.field === name);
      if (error !== undefined) {
        sayFieldError(page, fields[name].input, fields[name].slot, error);
        first ??= fields[name].input;
      }
    }
    unplaced.push(...errors.filter((e) => !isKeyField(e.field)));
    if (unplaced.length > 0) {
      page.say(formError, (_t, l) => unplaced.map((e) => fieldErrorLine(e, l)).join("\n"));
    }
    if (first !== null) {
      focusToCorrect(first);
    }
  }

  function resetForm(): void {
    for (const { input, initial } of Object.values(fields)) {
      input.value = initial;
    }
    clearErrors();
  }

  function openForm(): void {
    if (ctx.view() === null || ctx.readOnly() || page.busy()) {
      return;
    }
    resetForm();
    form.hidden = false;
    add.setAttribute("aria-expanded", "true");
    fields.label.input.focus();
  }

  function closeForm(): void {
    form.hidden = true;
    add.setAttribute("aria-expanded", "false");
    resetForm();
  }

  function askPassword(): void {
    if (ctx.view() === null || ctx.readOnly()) {
      return;
    }
    clearErrors();
    const read = readKeyForm({
      label: fields.label.input.value,
      uses: fields.uses.input.value,
      days: fields.valid_days.input.value,
    });
    if (Array.isArray(read)) {
      showErrors(read);
      return;
    }
    const request: KeyRequest = read;
    ctx.passwordDialog.open(
      {
        title: (t) => t.keyDialogTitle,
        text: (t) => t.keyDialogText(request.label, request.uses, request.validDays),
        submit: (t) => t.keyCreate,
        run: (password) => createKey(password, request),
      },
      create,
    );
  }

  async function createKey(password: string, request: KeyRequest): Promise<void> {
    const dialog = ctx.passwordDialog;
    const created = await ctx.call(
      () => page.backend.createEnrollmentKey(password, request.label, request.uses, request.validDays),
      {
        ...dialog.errors,
        on: {
          invalid_fields: (failure) => {
            const refused = failure.fields ?? [];
            if (refused.length > 0 && refused.every((f) => isKeyField(f.field))) {
              dialog.close();
              showErrors(refused);
            } else {
              // The password itself refused: said in the dialog, to type it again.
              showError(page, failure, dialog.errors);
            }
          },
        },
        // Anything else (a wrong password, too many tries, the service unreachable…): the
        // dialog stays, to try again.
      },
    );
    if (created === null) {
      return;
    }
    dialog.close();
    closeForm();
    showKey(created.value);
    const label = created.value.enrollment_key.label;
    page.notify("success", (t) => t.keyCreatedNotice(label));
    await fetchKeys();
  }

  /** The new key, this once: only in the panel's text (nothing else keeps it). */
  function showKey(created: EnrollmentKeyCreated): void {
    const view = created.enrollment_key;
    shownKey.textContent = created.key;
    page.say(about, (t, l) =>
      t.newKeyAbout(view.label, view.uses_allowed, formatDateTime(view.expires_at, l, page.timeZone)),
    );
    panel.hidden = false;
    panel.focus();
  }

  /** The key leaves the page: its text is emptied, the panel hidden. */
  function forgetKey(): void {
    shownKey.textContent = "";
    page.say(about, null);
    panel.hidden = true;
  }

  async function copyKey(): Promise<void> {
    const key = shownKey.textContent ?? "";
    if (key === "") {
      return;
    }
    try {
      await page.backend.copyText(key);
    } catch (error: unknown) {
      // The code only: whatever the clipboard said might quote the key.
      console.error("copy failed", toCommandError(error).code);
      page.doc.getSelection()?.selectAllChildren(shownKey);
      page.notify("error", (t) => t.keyCopyFailed);
      return;
    }
    page.notify("success", (t) => t.keyCopiedNotice);
  }

  /** Fetches the account's keys and shows them; a failure is said under the list. */
  async function fetchKeys(): Promise<void> {
    const view = ctx.view();
    if (view === null || ctx.readOnly()) {
      return;
    }
    const forAccount = view.customer_id;
    fetches += 1;
    const fetch = fetches;
    fetching = true;
    try {
      const answer = await ctx.call(() => page.backend.enrollmentKeys(), { slot: listError });
      if (fetch !== fetches || ctx.view()?.customer_id !== forAccount || answer === null) {
        return;
      }
      page.say(listError, null);
      keys = answer.value;
      if (armed !== null && !keys.some((k) => k.id === armed && keyStatus(k.status) === "active")) {
        armed = null;
      }
      drawList(texts(page.lang()));
    } finally {
      if (fetch === fetches) {
        fetching = false;
      }
    }
  }

  function statusWord(key: EnrollmentKeyView, t: Texts): string {
    switch (keyStatus(key.status)) {
      case "active":
        return t.keyActive;
      case "used_up":
        return t.keyUsedUp;
      case "revoked":
        return t.keyRevoked;
      case "expired":
        return t.keyExpired;
    }
  }

  function item(key: EnrollmentKeyView, t: Texts): HTMLLIElement {
    const doc = page.doc;
    const lang = page.lang();
    const status = keyStatus(key.status);
    const element = doc.createElement("li");
    element.dataset["keyId"] = String(key.id);

    const info = doc.createElement("div");
    info.className = "key-about";
    const title = doc.createElement("span");
    const label = doc.createElement("span");
    label.className = "key-label";
    label.textContent = key.label;
    const word = doc.createElement("span");
    word.className = "key-status";
    word.dataset["status"] = status;
    word.textContent = statusWord(key, t);
    title.append(label, " — ", word);
    info.append(title);

    const meta = doc.createElement("span");
    meta.className = "key-meta";
    const date = formatDateTime(key.expires_at, lang, page.timeZone);
    const expiry = status === "expired" ? t.keyExpiredOn(date) : t.keyExpires(date);
    meta.textContent = `${t.keyUsesLeft(key.uses_left, key.uses_allowed)} · ${expiry}`;
    info.append(meta);

    const machines = doc.createElement("span");
    machines.className = "key-machines";
    machines.textContent =
      key.uses.length === 0 ? t.keyNoUses : t.keyLinkedMachines(key.uses.map((u) => u.machine_name).join(", "));
    info.append(machines);
    element.append(info);

    if (status === "active") {
      const revoke = doc.createElement("button");
      revoke.type = "button";
      revoke.className = "revoke-key small danger";
      drawRevoke(revoke, key, t);
      revoke.disabled = ctx.readOnly();
      element.append(revoke);
    }
    return element;
  }

  /** Revoke, or its confirmation once clicked. */
  function drawRevoke(button: HTMLButtonElement, key: EnrollmentKeyView, t: Texts): void {
    const confirming = armed === key.id;
    button.textContent = confirming ? t.confirmRevoke : t.revokeKey;
    button.setAttribute("aria-label", confirming ? `${t.confirmRevoke} — ${key.label}` : t.revokeKeyLabel(key.label));
    if (confirming) {
      button.dataset["confirm"] = "true";
    } else {
      delete button.dataset["confirm"];
    }
  }

  function drawList(t: Texts): void {
    list.replaceChildren(...(keys ?? []).map((key) => item(key, t)));
    if (keys === null) {
      const offline = ctx.readOnly() && !ctx.refreshing();
      none.textContent = offline ? t.keysOffline : "";
      none.hidden = !offline;
    } else {
      none.textContent = t.noKeys;
      none.hidden = keys.length > 0;
    }
  }

  async function revoke(key: EnrollmentKeyView): Promise<void> {
    const done = await ctx.call(() => page.backend.revokeEnrollmentKey(key.id), {
      on: {
        enrollment_key_not_found: async (failure: CommandError) => {
          page.notify("error", (_t, l) => describeError(failure, l));
          await fetchKeys();
        },
      },
    });
    if (done === null) {
      return;
    }
    const label = key.label;
    page.notify("success", (t) => t.keyRevokedNotice(label));
    await fetchKeys();
    add.focus();
  }

  add.addEventListener("click", () => openForm());
  cancel.addEventListener("click", () => {
    if (!page.busy()) {
      closeForm();
      add.focus();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!page.busy()) {
      askPassword();
    }
  });
  copy.addEventListener("click", () => void copyKey());
  close.addEventListener("click", () => {
    forgetKey();
    add.focus();
  });
  list.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button.revoke-key") : null;
    const element = button?.closest<HTMLElement>("li[data-key-id]") ?? null;
    const key = keys?.find((k) => String(k.id) === element?.dataset["keyId"]);
    if (!(button instanceof HTMLButtonElement) || key === undefined || page.busy() || ctx.readOnly()) {
      return;
    }
    const t = texts(page.lang());
    if (armed !== key.id) {
      // A first click only asks for the confirmation (on this key alone).
      armed = key.id;
      for (const other of list.querySelectorAll<HTMLButtonElement>("button.revoke-key")) {
        const otherKey = keys?.find((k) => String(k.id) === other.closest<HTMLElement>("li")?.dataset["keyId"]);
        if (otherKey !== undefined) {
          drawRevoke(other, otherKey, t);
        }
      }
      return;
    }
    armed = null;
    void page.guarded(button, () => revoke(key));
  });

  return {
    render(view, t) {
      if (view.customer_id !== shownFor) {
        // Another account: nothing of the last one stays (its new key least of all).
        forgetAll();
        shownFor = view.customer_id;
      }
      const readOnly = ctx.readOnly();
      add.disabled = readOnly;
      create.disabled = readOnly;
      drawList(t);
      if (!readOnly && keys === null && !fetching) {
        void fetchKeys();
      }
    },
    forget: forgetAll,
  };

  function forgetAll(): void {
    forgetKey();
    closeForm();
    keys = null;
    armed = null;
    shownFor = null;
    fetches += 1;
    fetching = false;
    list.replaceChildren();
    none.hidden = true;
    page.say(listError, null);
  }
}
