// The page: wires the screens of index.html to the app's commands. The rules (formats,
// messages, merges, which screen) live in the small modules it imports; this file only
// reads and writes the DOM.

import type { AccountView, Backend, CommandError, FieldError, MachineView, Startup, Status } from "./api";
import { toCommandError } from "./api";
import { formatDate, formatDateTime, formatMinutes, groupCustomerId } from "./format";
import {
  clearFieldErrors,
  detailsToValues,
  emptyValues,
  type FormValues,
  mergeReloaded,
  missingRequired,
  readForm,
  showFieldErrors,
  unplacedText,
  valuesToDetails,
  writeForm,
} from "./form";
import {
  initialLanguage,
  isLang,
  isStaticKey,
  type Lang,
  languageAfterHostContext,
  storedLanguage,
  storeLanguage,
  type Texts,
  texts,
} from "./i18n";
import { codeText, errorText, fieldErrorLine, fieldLabel } from "./messages";
import {
  accountMode,
  afterRefusedCode,
  meansUnlinked,
  pendingEmail,
  SCREEN_ELEMENT_IDS,
  SCREENS,
  type ScreenId,
  sortedMachines,
} from "./state";

export interface AppOptions {
  doc: Document;
  backend: Backend;
  /** Where the language choice is remembered (localStorage); null when unavailable. */
  storage: Storage | null;
  /** The system's language tag (navigator.language), used before `startup` answers. */
  systemLanguage: string | null;
  /** For tests: the time zone dates are shown in (default: the system's). */
  timeZone?: string;
  /** For tests: how long "Copied" stays on the copy button. */
  copiedFeedbackMs?: number;
}

export interface App {
  /** Applies the language, asks for `startup` and the first status, shows a screen. */
  start(): Promise<void>;
  language(): Lang;
  screen(): ScreenId;
}

type Producer = (t: Texts, lang: Lang) => string;

type DialogAction = { kind: "edit" } | { kind: "unlink-machine"; machine: MachineView };

export function createApp(options: AppOptions): App {
  const { doc, backend, storage } = options;
  const copiedFeedbackMs = options.copiedFeedbackMs ?? 2000;

  function byId<T extends HTMLElement>(id: string, type: abstract new () => T): T {
    const element = doc.getElementById(id);
    if (!(element instanceof type)) {
      throw new Error(`index.html: missing #${id}`);
    }
    return element;
  }
  const el = (id: string) => byId(id, HTMLElement);
  const button = (id: string) => byId(id, HTMLButtonElement);
  const input = (id: string) => byId(id, HTMLInputElement);
  const form = (id: string) => byId(id, HTMLFormElement);
  const dialog = (id: string) => byId(id, HTMLDialogElement);

  const ui = {
    language: byId("language", HTMLSelectElement),
    notice: el("notice"),
    loading: el("loading"),
    loadingFailure: el("loading-failure"),
    loadingError: el("loading-error"),
    loadingRetry: button("loading-retry"),
    goRegister: button("go-register"),
    goLink: button("go-link"),
    registerForm: form("register-form"),
    formError: el("form-error"),
    sentText: el("sent-text"),
    sentForm: form("sent-form"),
    sentPassword: input("sent-password"),
    sentError: el("sent-error"),
    resendPassword: button("resend-password"),
    linkForm: form("link-form"),
    linkEmail: input("link-email"),
    linkSendPassword: button("link-send-password"),
    linkHavePassword: button("link-have-password"),
    linkPasswordPart: el("link-password-part"),
    linkPassword: input("link-password"),
    linkSubmit: button("link-submit"),
    linkMove: button("link-move"),
    linkError: el("link-error"),
    offlineBanner: el("offline-banner"),
    offlineText: el("offline-text"),
    retry: button("retry"),
    conflictBanner: el("conflict-banner"),
    conflictText: el("conflict-text"),
    reload: button("reload"),
    customerId: el("customer-id"),
    copyCustomerId: button("copy-customer-id"),
    balance: el("balance"),
    balanceNote: el("balance-note"),
    sessions: el("sessions"),
    noSessions: el("no-sessions"),
    accountForm: form("account-form"),
    accountFields: byId("account-fields", HTMLFieldSetElement),
    accountFormError: el("account-form-error"),
    accountEmail: input("account-email"),
    emailPending: el("email-pending"),
    emailPendingText: el("email-pending-text"),
    emailPendingHint: el("email-pending-hint"),
    emailCode: input("email-code"),
    emailCodeError: el("email-code-error"),
    emailConfirm: button("email-confirm"),
    emailCancelChange: button("email-cancel-change"),
    validate: button("validate"),
    emailPassword: button("email-password"),
    machines: el("machines"),
    unlinkThis: button("unlink-this"),
    footerText: el("footer-text"),
    passwordDialog: dialog("password-dialog"),
    passwordDialogForm: form("password-dialog-form"),
    passwordDialogTitle: el("password-dialog-title"),
    passwordDialogText: el("password-dialog-text"),
    dialogPassword: input("dialog-password"),
    dialogSubmit: button("dialog-submit"),
    dialogCancel: button("dialog-cancel"),
    dialogError: el("dialog-error"),
    unlinkDialog: dialog("unlink-dialog"),
    unlinkDialogText: el("unlink-dialog-text"),
    unlinkError: el("unlink-error"),
    unlinkConfirm: button("unlink-confirm"),
    unlinkCancel: button("unlink-cancel"),
  };

  // --- State ---------------------------------------------------------------------------

  let lang: Lang = initialLanguage(storedLanguage(storage), null, options.systemLanguage);
  let startup: Startup | null = null;
  let hostLanguage: string | null = null;
  let current: ScreenId = "loading";
  /** The registration prefill the form was last filled from. */
  let registerBaseline: FormValues = emptyValues();
  /** The address the password was sent to (register, then the password-sent screen). */
  let sentEmail = "";
  let account: AccountView | null = null;
  /** The details the account form was last loaded from (to tell typed fields apart). */
  let accountBaseline: FormValues = emptyValues();
  let readOnly = false;
  let fetchedAt: string | null = null;
  /** The new address the code field is for (a different one clears what was typed). */
  let codeFor: string | null = null;
  let busy = false;
  let dialogAction: DialogAction | null = null;
  let dialogOpener: HTMLElement | null = null;
  let copiedTimer: ReturnType<typeof setTimeout> | null = null;

  /** Texts that depend on the language, redone when it changes. */
  const producers = new Map<HTMLElement, Producer>();
  /** Field errors on show, redone when the language changes. */
  const shownFieldErrors = new Map<HTMLFormElement, { prefix: string; errors: FieldError[] }>();

  // --- Words -------------------------------------------------------------------------------

  function say(element: HTMLElement, producer: Producer | null): void {
    if (producer === null) {
      producers.delete(element);
      element.textContent = "";
    } else {
      producers.set(element, producer);
      element.textContent = producer(texts(lang), lang);
    }
  }

  function sayError(element: HTMLElement, error: CommandError | null): void {
    say(element, error === null ? null : (_t, l) => describeError(error, l));
  }

  function describeError(error: CommandError, l: Lang): string {
    if (error.code === "invalid_fields" && error.fields !== undefined && error.fields.length > 0) {
      return [codeText("invalid_fields", l), ...error.fields.map((f) => fieldErrorLine(f, l))].join("\n");
    }
    return errorText(error, l);
  }

  function notify(kind: "success" | "error" | "info", producer: Producer | null): void {
    ui.notice.dataset["kind"] = kind;
    say(ui.notice, producer);
  }

  function applyLanguage(): void {
    const t = texts(lang);
    doc.documentElement.lang = lang;
    doc.title = t.appTitle;
    ui.language.value = lang;
    for (const element of doc.querySelectorAll<HTMLElement>("[data-i18n]")) {
      const key = element.dataset["i18n"] ?? "";
      if (isStaticKey(key)) {
        element.textContent = t[key];
      }
    }
    for (const element of doc.querySelectorAll<HTMLElement>("[data-field-label]")) {
      element.textContent = fieldLabel(element.dataset["fieldLabel"] ?? "", lang);
    }
    for (const [element, producer] of producers) {
      element.textContent = producer(t, lang);
    }
    for (const [target, { prefix, errors }] of shownFieldErrors) {
      showFieldErrors(target, prefix, errors, lang);
    }
    renderAccount();
  }

  function setLanguage(next: Lang): void {
    if (next !== lang) {
      lang = next;
      applyLanguage();
    }
  }

  // --- Screens -------------------------------------------------------------------------

  function show(screen: ScreenId, focus: HTMLElement | "heading" | null = "heading"): void {
    current = screen;
    for (const id of SCREENS) {
      el(SCREEN_ELEMENT_IDS[id]).hidden = id !== screen;
    }
    const section = el(SCREEN_ELEMENT_IDS[screen]);
    if (focus === "heading") {
      section.querySelector<HTMLElement>("h1")?.focus();
    } else if (focus !== null) {
      focus.focus();
    }
  }

  async function guarded(trigger: HTMLElement | null, task: () => Promise<void>): Promise<void> {
    if (busy) {
      return;
    }
    busy = true;
    doc.body.classList.add("busy");
    trigger?.setAttribute("aria-disabled", "true");
    try {
      await task();
    } finally {
      busy = false;
      doc.body.classList.remove("busy");
      trigger?.removeAttribute("aria-disabled");
    }
  }

  function showErrors(target: HTMLFormElement, prefix: string, errors: FieldError[]) {
    shownFieldErrors.set(target, { prefix, errors });
    return showFieldErrors(target, prefix, errors, lang);
  }

  function clearErrors(target: HTMLFormElement, prefix: string): void {
    shownFieldErrors.delete(target);
    clearFieldErrors(target, prefix);
  }

  function markInvalid(element: HTMLInputElement, invalid: boolean): void {
    if (invalid) {
      element.setAttribute("aria-invalid", "true");
    } else {
      element.removeAttribute("aria-invalid");
    }
  }

  /** An empty required input: says so in `slot`, marks and focuses it. */
  function requireValue(element: HTMLInputElement, field: string, slot: HTMLElement): boolean {
    if (element.value.trim() !== "") {
      return true;
    }
    markInvalid(element, true);
    say(slot, (_t, l) => fieldErrorLine({ field, code: "empty" }, l));
    element.focus();
    return false;
  }

  // --- Start and status ------------------------------------------------------------------

  async function start(): Promise<void> {
    applyLanguage();
    wire();
    try {
      startup = await backend.startup();
      hostLanguage = startup.language;
      lang = initialLanguage(storedLanguage(storage), startup.language, options.systemLanguage);
      registerBaseline = detailsToValues(startup.registration_form);
      writeForm(ui.registerForm, registerBaseline);
      sayFooter();
    } catch (error: unknown) {
      console.error("startup failed", toCommandError(error));
    }
    applyLanguage();
    try {
      await backend.onHostContext(onHostContext);
    } catch (error: unknown) {
      console.error("cannot listen to host-context", toCommandError(error));
    }
    await loadFirstStatus();
  }

  function sayFooter(): void {
    const info = startup;
    say(ui.footerText, info === null ? null : (t) => `${t.footer(info.version)} · ${info.service_url}`);
  }

  async function loadFirstStatus(): Promise<void> {
    show("loading", null);
    ui.loading.setAttribute("aria-busy", "true");
    ui.loadingFailure.hidden = true;
    try {
      const status = await backend.accountStatus();
      ui.loading.removeAttribute("aria-busy");
      applyStatus(status);
    } catch (error: unknown) {
      ui.loading.removeAttribute("aria-busy");
      sayError(ui.loadingError, toCommandError(error));
      ui.loadingFailure.hidden = false;
      ui.loadingRetry.focus();
    }
  }

  /** Shows what a status says; an account already on screen keeps what the user typed. */
  function applyStatus(status: Status): void {
    const mode = accountMode(status);
    if (mode === null) {
      leaveAccount();
      show("welcome");
      return;
    }
    setAccount(mode.account, mode.readOnly, mode.fetchedAt);
    if (current !== "account") {
      show("account");
    }
  }

  function setAccount(view: AccountView, offline: boolean, offlineSince: string | null, replace = false): void {
    const fresh = detailsToValues(view.details);
    const sameAccount = account !== null && account.customer_id === view.customer_id;
    const values =
      sameAccount && !replace ? mergeReloaded(accountBaseline, readForm(ui.accountForm), fresh) : fresh;
    if (!sameAccount) {
      clearErrors(ui.accountForm, "account-");
      say(ui.accountFormError, null);
      ui.conflictBanner.hidden = true;
    }
    account = view;
    accountBaseline = fresh;
    readOnly = offline;
    fetchedAt = offlineSince;
    writeForm(ui.accountForm, values);
    renderAccount();
  }

  function leaveAccount(): void {
    account = null;
    accountBaseline = emptyValues();
    readOnly = false;
    fetchedAt = null;
    writeForm(ui.accountForm, emptyValues());
    clearErrors(ui.accountForm, "account-");
    say(ui.accountFormError, null);
    ui.conflictBanner.hidden = true;
    ui.offlineBanner.hidden = true;
    ui.emailPending.hidden = true;
    clearCode();
    codeFor = null;
  }

  function backToWelcome(error: CommandError): void {
    closeDialogs();
    leaveAccount();
    show("welcome");
    notify("error", (_t, l) => errorText(error, l));
  }

  // --- The account screen ------------------------------------------------------------------

  function renderAccount(): void {
    const view = account;
    if (view === null) {
      return;
    }
    const t = texts(lang);
    ui.customerId.textContent = groupCustomerId(view.customer_id);

    const balance = view.support_time.balance_minutes;
    ui.balance.textContent = formatMinutes(balance);
    ui.balance.classList.toggle("overdrawn", balance < 0);
    ui.balanceNote.hidden = balance >= 0;
    ui.balanceNote.textContent = balance < 0 ? t.overdrawn(formatMinutes(-balance)) : "";

    ui.sessions.replaceChildren(
      ...view.support_time.recent_sessions.map((session) => {
        const item = doc.createElement("li");
        const when = doc.createElement("span");
        when.className = "session-when";
        when.textContent = t.sessionLine(
          formatDate(session.at, lang, options.timeZone),
          formatMinutes(session.minutes),
          session.agent,
        );
        item.append(when);
        if (session.note.trim() !== "") {
          const note = doc.createElement("span");
          note.className = "session-note";
          note.textContent = session.note;
          item.append(note);
        }
        return item;
      }),
    );
    ui.noSessions.hidden = view.support_time.recent_sessions.length > 0;

    ui.machines.replaceChildren(...sortedMachines(view).map((machine) => machineItem(view, machine, t)));

    ui.offlineBanner.hidden = !readOnly;
    const since = fetchedAt;
    ui.offlineText.textContent = readOnly && since !== null ? t.offlineText(formatDateTime(since, lang, options.timeZone)) : "";
    ui.conflictText.textContent = codeText("changed_elsewhere", lang);
    renderPendingEmail(view, t);
    ui.accountFields.disabled = readOnly;
    for (const b of [ui.validate, ui.emailPassword, ui.unlinkThis]) {
      b.disabled = readOnly;
    }
  }

  /** The new address waiting for its code, under the e-mail field. */
  function renderPendingEmail(view: AccountView, t: Texts): void {
    const pending = pendingEmail(view);
    if (pending !== codeFor) {
      clearCode();
      codeFor = pending;
    }
    ui.emailPending.hidden = pending === null;
    ui.emailPendingText.textContent = pending === null ? "" : t.emailPendingText(pending);
    ui.emailPendingHint.textContent = pending === null ? "" : t.emailPendingHint(view.details.email);
  }

  function clearCode(): void {
    ui.emailCode.value = "";
    markInvalid(ui.emailCode, false);
    say(ui.emailCodeError, null);
  }

  function machineItem(view: AccountView, machine: MachineView, t: Texts): HTMLLIElement {
    const item = doc.createElement("li");
    item.dataset["machineId"] = machine.machine_id;
    const isThis = machine.machine_id === view.this_machine_id;
    if (isThis) {
      item.classList.add("this-machine");
    }

    const about = doc.createElement("div");
    about.className = "machine-about";
    const title = doc.createElement("span");
    title.className = "machine-title";
    const name = doc.createElement("span");
    name.className = "machine-name";
    name.textContent = machine.name;
    title.append(name);
    if (isThis) {
      const badge = doc.createElement("span");
      badge.className = "badge";
      badge.textContent = t.thisComputer;
      title.append(" ", badge);
    }
    about.append(title);
    const meta = doc.createElement("span");
    meta.className = "machine-meta";
    meta.textContent = `${machine.os} · ${t.lastSeen(formatDateTime(machine.last_seen_at, lang, options.timeZone))}`;
    about.append(meta);
    if (machine.shares_identity) {
      const shared = doc.createElement("span");
      shared.className = "machine-shared";
      shared.textContent = t.sharesIdentity;
      about.append(shared);
    }
    item.append(about);

    if (!isThis) {
      const unlink = doc.createElement("button");
      unlink.type = "button";
      unlink.className = "unlink-machine small";
      unlink.textContent = t.unlinkMachine;
      unlink.setAttribute("aria-label", t.unlinkMachineLabel(machine.name));
      unlink.disabled = readOnly;
      item.append(unlink);
    }
    return item;
  }

  async function refreshAccount(): Promise<void> {
    try {
      applyStatus(await backend.accountStatus());
    } catch (error: unknown) {
      const failure = toCommandError(error);
      if (meansUnlinked(failure.code)) {
        backToWelcome(failure);
      } else {
        notify("error", (_t, l) => errorText(failure, l));
      }
    }
  }

  // --- Actions -------------------------------------------------------------------------------

  async function submitRegister(): Promise<void> {
    const values = readForm(ui.registerForm);
    notify("info", null);
    const missing = missingRequired(values);
    if (missing.length > 0) {
      const { first } = showErrors(ui.registerForm, "", missing);
      say(ui.formError, (_t, l) => codeText("invalid_fields", l));
      first?.focus();
      return;
    }
    try {
      await backend.register(valuesToDetails(values, lang));
    } catch (error: unknown) {
      const failure = toCommandError(error);
      if (failure.code === "invalid_fields" && failure.fields !== undefined) {
        const { first, unplaced } = showErrors(ui.registerForm, "", failure.fields);
        const extra = unplaced;
        say(ui.formError, (_t, l) => [codeText("invalid_fields", l), unplacedText(extra, l)].filter(Boolean).join("\n"));
        (first ?? ui.registerForm.querySelector<HTMLElement>("input"))?.focus();
      } else {
        clearErrors(ui.registerForm, "");
        sayError(ui.formError, failure);
      }
      return;
    }
    clearErrors(ui.registerForm, "");
    say(ui.formError, null);
    sentEmail = values.email.trim();
    const email = sentEmail;
    say(ui.sentText, (t) => t.sentText(email));
    ui.sentPassword.value = "";
    markInvalid(ui.sentPassword, false);
    say(ui.sentError, null);
    show("password-sent", ui.sentPassword);
  }

  async function submitSentPassword(): Promise<void> {
    say(ui.sentError, null);
    markInvalid(ui.sentPassword, false);
    if (!requireValue(ui.sentPassword, "password", ui.sentError)) {
      return;
    }
    const password = ui.sentPassword.value;
    try {
      linked(await backend.link(sentEmail, password, false));
    } catch (error: unknown) {
      const failure = toCommandError(error);
      if (failure.code === "machine_linked_elsewhere") {
        // The link screen explains it and offers the move, with what was typed.
        openLinkScreen(sentEmail, password);
        linkFailed(failure);
        return;
      }
      markInvalid(ui.sentPassword, failure.code === "invalid_credentials");
      sayError(ui.sentError, failure);
      ui.sentPassword.focus();
      ui.sentPassword.select();
    }
  }

  async function resendPassword(): Promise<void> {
    say(ui.sentError, null);
    const email = sentEmail;
    try {
      await backend.requestPassword(email, lang);
      notify("success", (t) => t.accountPasswordSent(email));
      ui.sentPassword.focus();
    } catch (error: unknown) {
      sayError(ui.sentError, toCommandError(error));
    }
  }

  function openLinkScreen(email: string | null, password: string | null): void {
    if (email !== null) {
      ui.linkEmail.value = email;
    } else if (ui.linkEmail.value.trim() === "" && startup !== null) {
      ui.linkEmail.value = startup.registration_form.email;
    }
    ui.linkPassword.value = password ?? "";
    showLinkPassword(password !== null);
    ui.linkMove.hidden = true;
    markInvalid(ui.linkEmail, false);
    markInvalid(ui.linkPassword, false);
    say(ui.linkError, null);
    show("link");
  }

  function showLinkPassword(visible: boolean): void {
    ui.linkPasswordPart.hidden = !visible;
    ui.linkSubmit.hidden = !visible;
  }

  function linkEmailReady(): boolean {
    say(ui.linkError, null);
    markInvalid(ui.linkEmail, false);
    return requireValue(ui.linkEmail, "email", ui.linkError);
  }

  async function linkSendPassword(): Promise<void> {
    if (!linkEmailReady()) {
      return;
    }
    const email = ui.linkEmail.value.trim();
    try {
      await backend.requestPassword(email, lang);
    } catch (error: unknown) {
      linkFailed(toCommandError(error));
      return;
    }
    notify("success", (t) => t.linkPasswordSent(email));
    showLinkPassword(true);
    ui.linkPassword.focus();
  }

  function linkHavePassword(): void {
    if (!linkEmailReady()) {
      return;
    }
    showLinkPassword(true);
    ui.linkPassword.focus();
  }

  async function submitLink(moveMachine: boolean): Promise<void> {
    if (!linkEmailReady()) {
      return;
    }
    if (ui.linkPasswordPart.hidden) {
      linkHavePassword();
      return;
    }
    markInvalid(ui.linkPassword, false);
    if (!requireValue(ui.linkPassword, "password", ui.linkError)) {
      return;
    }
    try {
      linked(await backend.link(ui.linkEmail.value.trim(), ui.linkPassword.value, moveMachine));
    } catch (error: unknown) {
      linkFailed(toCommandError(error));
    }
  }

  function linkFailed(failure: CommandError): void {
    sayError(ui.linkError, failure);
    const emailRefused = failure.fields?.some((f) => f.field === "email") ?? false;
    markInvalid(ui.linkEmail, emailRefused);
    markInvalid(ui.linkPassword, failure.code === "invalid_credentials");
    ui.linkMove.hidden = failure.code !== "machine_linked_elsewhere";
    if (!ui.linkMove.hidden) {
      ui.linkMove.focus();
    } else if (emailRefused) {
      ui.linkEmail.focus();
    } else if (failure.code === "invalid_credentials" && !ui.linkPasswordPart.hidden) {
      ui.linkPassword.focus();
      ui.linkPassword.select();
    }
  }

  function linked(view: AccountView): void {
    ui.sentPassword.value = "";
    ui.linkPassword.value = "";
    ui.linkMove.hidden = true;
    say(ui.linkError, null);
    say(ui.sentError, null);
    leaveAccount();
    setAccount(view, false, null, true);
    show("account");
    const id = groupCustomerId(view.customer_id);
    notify("success", (t) => t.linkedNotice(id));
  }

  async function copyCustomerId(): Promise<void> {
    const view = account;
    if (view === null) {
      return;
    }
    try {
      await backend.copyText(view.customer_id);
    } catch (error: unknown) {
      console.error("copy failed", toCommandError(error));
      doc.getSelection()?.selectAllChildren(ui.customerId);
      notify("error", (t) => t.copyFailed);
      return;
    }
    say(ui.copyCustomerId, (t) => t.copied);
    notify("success", (t) => t.copiedNotice);
    if (copiedTimer !== null) {
      clearTimeout(copiedTimer);
    }
    copiedTimer = setTimeout(() => {
      copiedTimer = null;
      producers.delete(ui.copyCustomerId);
      ui.copyCustomerId.textContent = texts(lang).copy;
    }, copiedFeedbackMs);
  }

  function validateAccount(): void {
    if (account === null || readOnly) {
      return;
    }
    notify("info", null);
    say(ui.accountFormError, null);
    const missing = missingRequired(readForm(ui.accountForm));
    if (missing.length > 0) {
      const { first } = showErrors(ui.accountForm, "account-", missing);
      say(ui.accountFormError, (_t, l) => codeText("invalid_fields", l));
      first?.focus();
      return;
    }
    openPasswordDialog({ kind: "edit" }, ui.validate);
  }

  async function emailMyPassword(): Promise<void> {
    const view = account;
    if (view === null) {
      return;
    }
    const email = view.details.email;
    try {
      await backend.requestPassword(email, lang);
      notify("success", (t) => t.accountPasswordSent(email));
    } catch (error: unknown) {
      const failure = toCommandError(error);
      notify("error", (_t, l) => errorText(failure, l));
    }
  }

  async function retryOffline(): Promise<void> {
    try {
      const status = await backend.accountStatus();
      const wasReadOnly = readOnly;
      applyStatus(status);
      if (current === "account" && wasReadOnly && !readOnly) {
        notify("success", (t) => t.backOnline);
        ui.accountForm.querySelector<HTMLElement>("input")?.focus();
      } else if (current === "account" && readOnly) {
        notify("error", (_t, l) => codeText("service_unreachable", l));
      }
    } catch (error: unknown) {
      const failure = toCommandError(error);
      if (meansUnlinked(failure.code)) {
        backToWelcome(failure);
      } else {
        notify("error", (_t, l) => errorText(failure, l));
      }
    }
  }

  async function reloadAfterConflict(): Promise<void> {
    try {
      const status = await backend.accountStatus();
      applyStatus(status);
      if (current === "account") {
        ui.conflictBanner.hidden = true;
        say(ui.accountFormError, null);
        notify("info", (t) => t.reloadedNotice);
        ui.validate.focus();
      }
    } catch (error: unknown) {
      const failure = toCommandError(error);
      if (meansUnlinked(failure.code)) {
        backToWelcome(failure);
      } else {
        notify("error", (_t, l) => errorText(failure, l));
      }
    }
  }

  // --- A new e-mail address, confirmed with the code mailed to it ------------------------

  async function confirmEmailChange(): Promise<void> {
    const view = account;
    const pending = view === null ? null : pendingEmail(view);
    if (pending === null || readOnly) {
      return;
    }
    // The notice of the save that sent the code would now cover the panel.
    notify("info", null);
    markInvalid(ui.emailCode, false);
    say(ui.emailCodeError, null);
    if (ui.emailCode.value.trim() === "") {
      markInvalid(ui.emailCode, true);
      say(ui.emailCodeError, (_t, l) => codeText("empty", l));
      ui.emailCode.focus();
      return;
    }
    let confirmed: AccountView;
    try {
      confirmed = await backend.confirmEmail(ui.emailCode.value);
    } catch (error: unknown) {
      await confirmationFailed(pending, toCommandError(error));
      return;
    }
    // The new address replaces the old one in the form, unless the user typed there.
    setAccount(confirmed, false, null);
    const email = confirmed.details.email;
    notify("success", (t) => t.emailChangedNotice(email));
    ui.accountEmail.focus();
  }

  async function confirmationFailed(pending: string, failure: CommandError): Promise<void> {
    if (meansUnlinked(failure.code)) {
      backToWelcome(failure);
      return;
    }
    codeError(failure);
    if (failure.code !== "email_code_invalid") {
      return;
    }
    // Refused: the change may be gone (expired, too many wrong codes, cancelled or
    // confirmed elsewhere). Look, so as not to ask for a code nothing waits for.
    let status: Status;
    try {
      status = await backend.accountStatus();
    } catch {
      return;
    }
    if (status.state !== "linked") {
      applyStatus(status);
      return;
    }
    const outcome = afterRefusedCode(pending, status.account);
    if (outcome === "still-pending") {
      return;
    }
    applyStatus(status);
    const now = status.account.details.email;
    if (outcome === "confirmed") {
      notify("success", (t) => t.emailChangedNotice(now));
      ui.accountEmail.focus();
    } else if (outcome === "dropped") {
      notify("error", (t) => t.emailChangeDropped(now));
      ui.accountEmail.focus();
    } else {
      // Another address waits now: its own code is needed.
      codeError(failure);
    }
  }

  /** Why the code was not accepted, under the code field; what was typed stays. */
  function codeError(failure: CommandError): void {
    const refused = failure.code === "email_code_invalid" || failure.code === "invalid_fields";
    say(ui.emailCodeError, (_t, l) => {
      const field = failure.fields?.find((f) => f.field === "code") ?? failure.fields?.[0];
      return failure.code === "invalid_fields" && field !== undefined ? codeText(field.code, l) : errorText(failure, l);
    });
    markInvalid(ui.emailCode, refused);
    ui.emailCode.focus();
    ui.emailCode.select();
  }

  async function cancelEmailChange(): Promise<void> {
    if (account === null || readOnly) {
      return;
    }
    notify("info", null);
    say(ui.emailCodeError, null);
    let after: AccountView;
    try {
      after = await backend.cancelEmailChange();
    } catch (error: unknown) {
      const failure = toCommandError(error);
      if (meansUnlinked(failure.code)) {
        backToWelcome(failure);
      } else {
        say(ui.emailCodeError, (_t, l) => errorText(failure, l));
      }
      return;
    }
    setAccount(after, false, null);
    const email = after.details.email;
    notify("success", (t) => t.emailChangeCancelledNotice(email));
    ui.accountEmail.focus();
  }

  // --- Dialogs -------------------------------------------------------------------------------

  function openModal(target: HTMLDialogElement): void {
    if (typeof target.showModal === "function") {
      target.showModal();
    } else {
      target.setAttribute("open", "");
    }
  }

  function closeModal(target: HTMLDialogElement): void {
    if (!target.hasAttribute("open")) {
      return;
    }
    if (typeof target.close === "function") {
      target.close();
    } else {
      target.removeAttribute("open");
    }
  }

  function openPasswordDialog(action: DialogAction, opener: HTMLElement): void {
    dialogAction = action;
    dialogOpener = opener;
    if (action.kind === "edit") {
      say(ui.passwordDialogTitle, (t) => t.saveDialogTitle);
      say(ui.passwordDialogText, (t) => t.saveDialogText);
      say(ui.dialogSubmit, (t) => t.saveDialogSubmit);
    } else {
      const name = action.machine.name;
      say(ui.passwordDialogTitle, (t) => t.unlinkMachineTitle(name));
      say(ui.passwordDialogText, (t) => t.unlinkMachineDialogText);
      say(ui.dialogSubmit, (t) => t.unlinkMachine);
    }
    ui.dialogPassword.value = "";
    ui.dialogPassword.type = "password";
    const reveal = ui.passwordDialog.querySelector<HTMLInputElement>("input.reveal");
    if (reveal !== null) {
      reveal.checked = false;
    }
    markInvalid(ui.dialogPassword, false);
    say(ui.dialogError, null);
    openModal(ui.passwordDialog);
    ui.dialogPassword.focus();
  }

  function closePasswordDialog(): void {
    closeModal(ui.passwordDialog);
    afterPasswordDialog();
  }

  /** Runs once the password dialog is closed, however it was (Escape included). */
  function afterPasswordDialog(): void {
    ui.dialogPassword.value = "";
    dialogAction = null;
    const opener = dialogOpener;
    dialogOpener = null;
    if (opener !== null && opener.isConnected) {
      opener.focus();
    }
  }

  async function submitPasswordDialog(): Promise<void> {
    const action = dialogAction;
    const view = account;
    if (action === null || view === null) {
      return;
    }
    say(ui.dialogError, null);
    markInvalid(ui.dialogPassword, false);
    if (!requireValue(ui.dialogPassword, "password", ui.dialogError)) {
      return;
    }
    const password = ui.dialogPassword.value;
    if (action.kind === "edit") {
      await saveAccount(view, password);
    } else {
      await unlinkOtherMachine(action.machine, password);
    }
  }

  async function saveAccount(view: AccountView, password: string): Promise<void> {
    const details = valuesToDetails(readForm(ui.accountForm), view.details.language ?? null);
    let saved: AccountView;
    try {
      saved = await backend.edit(password, view.version, details);
    } catch (error: unknown) {
      editFailed(toCommandError(error));
      return;
    }
    closePasswordDialog();
    clearErrors(ui.accountForm, "account-");
    say(ui.accountFormError, null);
    ui.conflictBanner.hidden = true;
    const pending = pendingEmail(saved);
    const askedNewEmail = details.email.trim() !== view.details.email;
    if (pending !== null && askedNewEmail) {
      // A new code is on its way: one typed for an earlier one would be refused.
      clearCode();
    }
    setAccount(saved, false, null, true);
    if (pending !== null && askedNewEmail) {
      notify("success", (t) => t.savedEmailPending(pending));
      ui.emailCode.focus();
    } else {
      notify("success", (t) => t.saved);
    }
  }

  function editFailed(failure: CommandError): void {
    switch (failure.code) {
      case "invalid_credentials":
      case "rate_limited":
        dialogError(failure);
        return;
      case "invalid_fields": {
        closePasswordDialog();
        const { first, unplaced } = showErrors(ui.accountForm, "account-", failure.fields ?? []);
        say(ui.accountFormError, (_t, l) =>
          [codeText("invalid_fields", l), unplacedText(unplaced, l)].filter(Boolean).join("\n"),
        );
        first?.focus();
        return;
      }
      case "email_unavailable": {
        closePasswordDialog();
        const { first } = showErrors(ui.accountForm, "account-", [
          { field: "email", code: "email_unavailable", message: failure.message },
        ]);
        say(ui.accountFormError, null);
        first?.focus();
        return;
      }
      case "changed_elsewhere":
        closePasswordDialog();
        ui.conflictBanner.hidden = false;
        ui.reload.focus();
        return;
      case "not_linked":
        backToWelcome(failure);
        return;
      default:
        // Transient (service unreachable, timeout…): the dialog stays, to try again.
        dialogError(failure);
    }
  }

  function dialogError(failure: CommandError): void {
    say(ui.dialogError, (t, l) => (failure.code === "invalid_credentials" ? t.wrongPassword : errorText(failure, l)));
    markInvalid(ui.dialogPassword, failure.code === "invalid_credentials");
    ui.dialogPassword.focus();
    ui.dialogPassword.select();
  }

  async function unlinkOtherMachine(machine: MachineView, password: string): Promise<void> {
    try {
      await backend.unlinkMachine(machine.machine_id, password);
    } catch (error: unknown) {
      const failure = toCommandError(error);
      if (failure.code === "machine_not_found") {
        closePasswordDialog();
        notify("error", (_t, l) => errorText(failure, l));
        await refreshAccount();
      } else if (meansUnlinked(failure.code)) {
        backToWelcome(failure);
      } else {
        dialogError(failure);
      }
      return;
    }
    closePasswordDialog();
    const name = machine.name;
    notify("success", (t) => t.machineUnlinkedNotice(name));
    await refreshAccount();
  }

  function openUnlinkDialog(): void {
    const view = account;
    if (view === null || readOnly) {
      return;
    }
    const id = groupCustomerId(view.customer_id);
    say(ui.unlinkDialogText, (t) => t.unlinkDialogText(id));
    say(ui.unlinkError, null);
    openModal(ui.unlinkDialog);
    // The safe choice first: Enter right away does not unlink.
    ui.unlinkCancel.focus();
  }

  function closeUnlinkDialog(): void {
    closeModal(ui.unlinkDialog);
    if (current === "account") {
      ui.unlinkThis.focus();
    }
  }

  async function unlinkThisComputer(): Promise<void> {
    try {
      await backend.unlink();
    } catch (error: unknown) {
      const failure = toCommandError(error);
      if (!meansUnlinked(failure.code)) {
        sayError(ui.unlinkError, failure);
        return;
      }
      // Already unlinked (elsewhere): the outcome the user asked for.
    }
    closeModal(ui.unlinkDialog);
    leaveAccount();
    show("welcome");
    notify("success", (t) => t.unlinkedNotice);
  }

  function closeDialogs(): void {
    if (ui.passwordDialog.hasAttribute("open")) {
      closePasswordDialog();
    }
    closeModal(ui.unlinkDialog);
  }

  // --- Host context --------------------------------------------------------------------------

  function onHostContext(next: Startup): void {
    const choice = languageAfterHostContext(lang, hostLanguage, next.language);
    if (choice.forgetChoice) {
      storeLanguage(storage, null);
    }
    hostLanguage = next.language;
    startup = next;
    // The new prefill replaces only the fields the user has not touched.
    const fresh = detailsToValues(next.registration_form);
    writeForm(ui.registerForm, mergeReloaded(registerBaseline, readForm(ui.registerForm), fresh));
    registerBaseline = fresh;
    sayFooter();
    setLanguage(choice.lang);
  }

  // --- Events ----------------------------------------------------------------------------

  function wire(): void {
    ui.language.addEventListener("change", () => {
      const value = ui.language.value;
      if (isLang(value)) {
        storeLanguage(storage, value);
        setLanguage(value);
      }
    });

    ui.loadingRetry.addEventListener("click", () => void guarded(ui.loadingRetry, loadFirstStatus));

    ui.goRegister.addEventListener("click", () => {
      notify("info", null);
      show("register");
    });
    ui.goLink.addEventListener("click", () => {
      notify("info", null);
      openLinkScreen(null, null);
    });
    for (const back of doc.querySelectorAll<HTMLButtonElement>("button.go-welcome")) {
      back.addEventListener("click", () => {
        notify("info", null);
        show("welcome");
      });
    }

    ui.registerForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void guarded(button("register-submit"), submitRegister);
    });

    ui.sentForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void guarded(button("sent-submit"), submitSentPassword);
    });
    ui.resendPassword.addEventListener("click", () => void guarded(ui.resendPassword, resendPassword));

    ui.linkSendPassword.addEventListener("click", () => void guarded(ui.linkSendPassword, linkSendPassword));
    ui.linkHavePassword.addEventListener("click", () => linkHavePassword());
    ui.linkEmail.addEventListener("keydown", (event) => {
      // Enter in the e-mail field: on to the password (never sends an e-mail by itself).
      if (event.key === "Enter") {
        event.preventDefault();
        void guarded(ui.linkSubmit, () => submitLink(false));
      }
    });
    ui.linkForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void guarded(ui.linkSubmit, () => submitLink(false));
    });
    ui.linkMove.addEventListener("click", () => void guarded(ui.linkMove, () => submitLink(true)));

    ui.copyCustomerId.addEventListener("click", () => void copyCustomerId());
    ui.accountForm.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!busy) {
        validateAccount();
      }
    });
    ui.emailPassword.addEventListener("click", () => void guarded(ui.emailPassword, emailMyPassword));
    ui.emailConfirm.addEventListener("click", () => void guarded(ui.emailConfirm, confirmEmailChange));
    ui.emailCode.addEventListener("keydown", (event) => {
      // Enter in the code field confirms the address; it does not validate the form.
      if (event.key === "Enter") {
        event.preventDefault();
        void guarded(ui.emailConfirm, confirmEmailChange);
      }
    });
    ui.emailCancelChange.addEventListener("click", () => void guarded(ui.emailCancelChange, cancelEmailChange));
    ui.retry.addEventListener("click", () => void guarded(ui.retry, retryOffline));
    ui.reload.addEventListener("click", () => void guarded(ui.reload, reloadAfterConflict));
    ui.machines.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target.closest("button.unlink-machine") : null;
      const item = target?.closest<HTMLElement>("li[data-machine-id]") ?? null;
      const machine = account?.machines.find((m) => m.machine_id === item?.dataset["machineId"]);
      if (target instanceof HTMLElement && machine !== undefined && !busy && !readOnly) {
        openPasswordDialog({ kind: "unlink-machine", machine }, target);
      }
    });
    ui.unlinkThis.addEventListener("click", () => openUnlinkDialog());

    ui.passwordDialogForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void guarded(ui.dialogSubmit, submitPasswordDialog);
    });
    ui.dialogCancel.addEventListener("click", () => {
      if (!busy) {
        closePasswordDialog();
      }
    });
    ui.passwordDialog.addEventListener("cancel", (event) => {
      // Escape: closes, unless a request is under way.
      if (busy) {
        event.preventDefault();
      }
    });
    ui.passwordDialog.addEventListener("close", () => {
      if (dialogAction !== null) {
        afterPasswordDialog();
      }
    });

    ui.unlinkConfirm.addEventListener("click", () => void guarded(ui.unlinkConfirm, unlinkThisComputer));
    ui.unlinkCancel.addEventListener("click", () => {
      if (!busy) {
        closeUnlinkDialog();
      }
    });
    ui.unlinkDialog.addEventListener("cancel", (event) => {
      if (busy) {
        event.preventDefault();
      }
    });

    for (const reveal of doc.querySelectorAll<HTMLInputElement>("input.reveal")) {
      reveal.addEventListener("change", () => {
        const target = doc.getElementById(reveal.dataset["reveals"] ?? "");
        if (target instanceof HTMLInputElement) {
          target.type = reveal.checked ? "text" : "password";
        }
      });
    }
  }

  return {
    start,
    language: () => lang,
    screen: () => current,
  };
}
