// Sample data and a fake app for the tests.

import type { AccountDetails, AccountView, Backend, CommandError, Language, Startup, Status } from "../src/api";
import indexHtml from "../index.html?raw";
import { buildDetailsForms } from "../src/details-fields";

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

export function failure(code: string, extra: Partial<CommandError> = {}): CommandError {
  return { code, message: `test: ${code}`, ...extra };
}

type Answer<T> = T | CommandError | (() => T | CommandError);

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
    this.defaults.set("account_status", { state: "not_linked" } satisfies Status);
    this.defaults.set("register", null);
    this.defaults.set("request_password", null);
    this.defaults.set("link", account());
    this.defaults.set("edit", account({ version: 4 }));
    this.defaults.set("confirm_email", account({ version: 5, details: details({ email: "direction@dupont-sarl.fr" }) }));
    this.defaults.set("cancel_email_change", account({ version: 4 }));
    this.defaults.set("unlink", null);
    this.defaults.set("unlink_machine", null);
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
    // Let the page see the pending state, as a real IPC round trip would.
    await Promise.resolve();
    if (isFailure(value)) {
      throw value;
    }
    return structuredClone(value) as T;
  }

  startup = () => this.answer<Startup>("startup");
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
  copyText = (text: string) => this.answer<void>("copy", { text });
  onHostContext = async (handler: (s: Startup) => void) => {
    this.hostContext = handler;
    return () => {
      this.hostContext = null;
    };
  };
}

/** Puts index.html's body into the test document, the details fields built as at start. */
export function loadPage(): void {
  const parsed = new DOMParser().parseFromString(indexHtml, "text/html");
  document.documentElement.lang = parsed.documentElement.lang;
  document.head.innerHTML = "";
  document.body.className = "";
  document.body.innerHTML = parsed.body.innerHTML;
  buildDetailsForms(document);
}

export { indexHtml };

/** Lets every pending promise and task run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
