// Sample data and a fake app for the tests.

import type {
  AccountDetails,
  AccountView,
  Backend,
  CommandError,
  EnrollmentKeyCreated,
  EnrollmentKeyView,
  Language,
  Snapshot,
  Startup,
  Status,
} from "../src/api";
import indexHtml from "../index.html?raw";
import { buildDetailsForms } from "../src/details-fields";
import { createAccountScreen } from "../src/account/account";
import { wireRevealBoxes } from "../src/dom";
import { createPage, type Page } from "../src/page";
import { buildPasswordFields } from "../src/password-fields";
import { SCREEN_ELEMENT_IDS } from "../src/state";

export function details(overrides: Partial<AccountDetails> = {}): AccountDetails {
  return {
    email: "compta@dupont-sarl.fr",
    company_name: "Dupont SARL",
    contact_first_name: "Marie",
    contact_last_name: "Dupont",
    phone: "01 23 45 67 89",
    siret: "73282932000074",
    address: { street: "12 rue des Lilas", postal_code: "75011", city: "Paris", country: "FR" },
    language: "fr",
    ...overrides,
  };
}

export function account(overrides: Partial<AccountView> = {}): AccountView {
  return {
    customer_id: "10019",
    details: details(),
    support_time: {
      balance_minutes: 135,
      recent_sessions: [
        { at: "2025-11-12T09:30:00Z", minutes: 25, agent: "Julien", note: "Clôture de l'exercice" },
      ],
    },
    machines: [
      {
        machine_id: "m-this",
        name: "PC-ACCUEIL",
        os: "Windows 11",
        app_version: "0.1.0",
        linked_at: "2025-10-01T08:00:00Z",
        last_seen_at: "2025-11-20T10:04:00Z",
        shares_identity: false,
      },
      {
        machine_id: "m-other",
        name: "PC-COMPTA",
        os: "Windows 10",
        app_version: "0.1.0",
        linked_at: "2025-10-02T08:00:00Z",
        last_seen_at: "2025-11-19T16:45:00Z",
        shares_identity: true,
      },
    ],
    this_machine_id: "m-this",
    version: 3,
    created_at: "2025-10-01T08:00:00Z",
    updated_at: "2025-11-01T08:00:00Z",
    ...overrides,
  };
}

export function startup(overrides: Partial<Startup> = {}): Startup {
  return {
    language: "fr",
    service_url: "https://comptes.example.test",
    version: "0.1.0",
    registration_form: details({ email: "", siret: null, address: null }),
    ...overrides,
  };
}

export function enrollmentKey(overrides: Partial<EnrollmentKeyView> = {}): EnrollmentKeyView {
  return {
    id: 7,
    label: "Salle de formation",
    uses_allowed: 10,
    uses_left: 8,
    created_at: "2025-11-20T10:00:00Z",
    expires_at: "2025-11-27T10:00:00Z",
    created_by: "PC-ACCUEIL",
    status: "active",
    uses: [
      { at: "2025-11-21T08:00:00Z", machine_id: "m-f1", machine_name: "FORMATION-01" },
      { at: "2025-11-21T08:05:00Z", machine_id: "m-f2", machine_name: "FORMATION-02" },
    ],
    ...overrides,
  };
}

/** The key a creation answers: a made-up one, shown once. */
export const NEW_KEY = "EK7Q-M2XD-9PRT-WH4C-ZN6B";

export function keyCreated(overrides: Partial<EnrollmentKeyView> = {}): EnrollmentKeyCreated {
  return { key: NEW_KEY, enrollment_key: enrollmentKey({ uses_left: 10, uses: [], ...overrides }) };
}

export function failure(code: string, extra: Partial<CommandError> = {}): CommandError {
  return { code, message: `test: ${code}`, ...extra };
}

type Answer<T> = T | CommandError | (() => T | CommandError) | Promise<T | CommandError>;

/** An answer the test gives later (`resolve`): the page meanwhile shows what it shows while waiting. */
export function later<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function isFailure(value: unknown): value is CommandError {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}

/** A stand-in for the app: records each call, answers what the test queued (or a default). */
export class FakeBackend implements Backend {
  calls: Array<{ command: string; args: Record<string, unknown> }> = [];
  queues = new Map<string, Array<Answer<unknown>>>();
  defaults = new Map<string, Answer<unknown>>();
  hostContext: ((s: Startup) => void) | null = null;

  constructor() {
    this.defaults.set("startup", startup());
    this.defaults.set("account_snapshot", null);
    this.defaults.set("account_status", { state: "not_linked" } satisfies Status);
    this.defaults.set("register", null);
    this.defaults.set("request_password", null);
    this.defaults.set("link", account());
    this.defaults.set("edit", account({ version: 4 }));
    this.defaults.set("confirm_email", account({ version: 5, details: details({ email: "direction@dupont-sarl.fr" }) }));
    this.defaults.set("cancel_email_change", account({ version: 4 }));
    this.defaults.set("unlink", null);
    this.defaults.set("unlink_machine", null);
    this.defaults.set("unlink_stale_machines", ["m-other"]);
    this.defaults.set("enrollment_keys", []);
    this.defaults.set("create_enrollment_key", keyCreated());
    this.defaults.set("revoke_enrollment_key", null);
    this.defaults.set("copy", undefined);
  }

  /** The next call of `command` answers `answer` (a CommandError rejects). */
  next(command: string, answer: Answer<unknown>): this {
    const queue = this.queues.get(command) ?? [];
    queue.push(answer);
    this.queues.set(command, queue);
    return this;
  }

  callsOf(command: string) {
    return this.calls.filter((c) => c.command === command).map((c) => c.args);
  }

  private async answer<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    this.calls.push({ command, args });
    const queued = this.queues.get(command)?.shift();
    let value = queued !== undefined ? queued : this.defaults.get(command);
    if (typeof value === "function") {
      value = (value as () => unknown)();
    }
    if (value instanceof Promise) {
      value = await value;
    }
    // Let the page see the pending state, as a real IPC round trip would.
    await Promise.resolve();
    if (isFailure(value)) {
      throw value;
    }
    return structuredClone(value) as T;
  }

  startup = () => this.answer<Startup>("startup");
  accountSnapshot = () => this.answer<Snapshot | null>("account_snapshot");
  accountStatus = () => this.answer<Status>("account_status");
  register = (details: AccountDetails) => this.answer<null>("register", { details });
  requestPassword = (email: string, language: Language) => this.answer<null>("request_password", { email, language });
  link = (email: string, password: string, moveMachine: boolean) =>
    this.answer<AccountView>("link", { email, password, move_machine: moveMachine });
  edit = (password: string, version: number, details: AccountDetails) =>
    this.answer<AccountView>("edit", { password, version, details });
  confirmEmail = (code: string) => this.answer<AccountView>("confirm_email", { code });
  cancelEmailChange = () => this.answer<AccountView>("cancel_email_change");
  unlink = () => this.answer<null>("unlink");
  unlinkMachine = (machineId: string, password: string) =>
    this.answer<null>("unlink_machine", { machine_id: machineId, password });
  unlinkStaleMachines = (password: string, notSeenDays: number, machineIds: string[]) =>
    this.answer<string[]>("unlink_stale_machines", { password, not_seen_days: notSeenDays, machine_ids: machineIds });
  enrollmentKeys = () => this.answer<EnrollmentKeyView[]>("enrollment_keys");
  createEnrollmentKey = (password: string, label: string, uses: number | null, validDays: number | null) =>
    this.answer<EnrollmentKeyCreated>("create_enrollment_key", { password, label, uses, valid_days: validDays });
  revokeEnrollmentKey = (keyId: number) => this.answer<null>("revoke_enrollment_key", { key_id: keyId });
  copyText = (text: string) => this.answer<void>("copy", { text });
  onHostContext = async (handler: (s: Startup) => void) => {
    this.hostContext = handler;
    return () => {
      this.hostContext = null;
    };
  };
}

/** Puts index.html's body into the test document, its fields built as at start. */
export function loadPage(): void {
  const parsed = new DOMParser().parseFromString(indexHtml, "text/html");
  document.documentElement.lang = parsed.documentElement.lang;
  document.head.innerHTML = "";
  document.body.className = "";
  document.body.innerHTML = parsed.body.innerHTML;
  buildDetailsForms(document);
  buildPasswordFields(document);
}

export { indexHtml };

/** Lets every pending promise and task run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

// --- For the tests of one module: the page, and what the user does and sees. ---

/** index.html loaded, and the shared page over it (French unless said), words applied. */
export function newPage(backend: Backend = new FakeBackend(), lang: Language = "fr"): Page {
  loadPage();
  const page = createPage({ doc: document, backend, lang, timeZone: "UTC" });
  page.applyLanguage();
  return page;
}

export function $(selector: string): HTMLElement {
  const found = document.querySelector<HTMLElement>(selector);
  if (found === null) {
    throw new Error(`no ${selector}`);
  }
  return found;
}

export function text(selector: string): string {
  return $(selector).textContent ?? "";
}

export function value(selector: string): string {
  return ($(selector) as HTMLInputElement).value;
}

export function type(selector: string, typed: string): void {
  const input = $(selector) as HTMLInputElement;
  input.value = typed;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

export async function click(selector: string): Promise<void> {
  $(selector).click();
  await settle();
}

export async function submit(selector: string): Promise<void> {
  ($(selector) as HTMLFormElement).requestSubmit();
  await settle();
}

export async function pressEnter(selector: string): Promise<KeyboardEvent> {
  const enter = new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
  $(selector).dispatchEvent(enter);
  await settle();
  return enter;
}

export function focusedId(): string {
  return document.activeElement?.id ?? "";
}

/** The screens on show (exactly one, normally). */
export function visibleScreens(): string[] {
  return Object.values(SCREEN_ELEMENT_IDS).filter((id) => !$(`#${id}`).hidden);
}

export function chooseLanguage(lang: Language): void {
  const select = $("#language") as HTMLSelectElement;
  select.value = lang;
  select.dispatchEvent(new Event("change"));
}

/** The account screen alone on a fresh page, showing `status` (linked to `account()` by default). */
export function openAccount(status: Status = { state: "linked", account: account() }, backend = new FakeBackend()) {
  const page = newPage(backend);
  wireRevealBoxes(document);
  const screen = createAccountScreen(page, 300);
  screen.applyStatus(status);
  return { page, backend, screen };
}
