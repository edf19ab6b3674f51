// @vitest-environment jsdom
// The page's flows against a fake app: which screen shows, what each command is sent,
// and what the user sees after each answer.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp, type App } from "../src/app";
import { LANGUAGE_STORAGE_KEY, texts } from "../src/i18n";
import { codeText } from "../src/messages";
import type { AccountDetails, CommandError, Status } from "../src/api";
import { account, details, failure, FakeBackend, later, loadPage, settle, startup } from "./fixtures";

let backend: FakeBackend;
let app: App;

function $(selector: string): HTMLElement {
  const found = document.querySelector<HTMLElement>(selector);
  if (found === null) {
    throw new Error(`no ${selector}`);
  }
  return found;
}

function value(selector: string): string {
  return ($(selector) as HTMLInputElement).value;
}

function type(selector: string, text: string): void {
  const input = $(selector) as HTMLInputElement;
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

async function click(selector: string): Promise<void> {
  $(selector).click();
  await settle();
}

async function submit(selector: string): Promise<void> {
  ($(selector) as HTMLFormElement).requestSubmit();
  await settle();
}

function visibleScreen(): string[] {
  return ["loading", "screen-welcome", "screen-register", "screen-password-sent", "screen-link", "screen-account"].filter(
    (id) => !$(`#${id}`).hidden,
  );
}

function text(selector: string): string {
  return $(selector).textContent ?? "";
}

async function boot(configure?: (b: FakeBackend) => void, systemLanguage = "fr-FR"): Promise<void> {
  backend = new FakeBackend();
  configure?.(backend);
  app = createApp({ doc: document, backend, storage: localStorage, systemLanguage, timeZone: "UTC", copiedFeedbackMs: 300 });
  await app.start();
  await settle();
}

async function bootLinked(overrides = {}): Promise<void> {
  await boot((b) => b.next("account_status", { state: "linked", account: account(overrides) }));
}

beforeEach(() => {
  localStorage.clear();
  loadPage();
});

afterEach(async () => {
  await settle();
});

describe("start", () => {
  it("shows the welcome screen when this computer is not linked", async () => {
    await boot();
    expect(visibleScreen()).toEqual(["screen-welcome"]);
    expect(document.documentElement.lang).toBe("fr");
    expect(text("#go-register")).toBe("Créer le compte client de mon entreprise");
    expect(backend.calls.map((c) => c.command)).toEqual(["account_snapshot", "startup", "account_status"]);
    expect(backend.hostContext).not.toBeNull();
  });

  it("keeps the loading screen with the error and a retry when the status fails", async () => {
    await boot((b) => b.next("account_status", failure("credential_store_unavailable")));
    expect(visibleScreen()).toEqual(["loading"]);
    expect(text("#loading-error")).toBe(codeText("credential_store_unavailable", "fr"));
    await click("#loading-retry");
    expect(visibleScreen()).toEqual(["screen-welcome"]);
  });

  it("fills the registration form from the host's context", async () => {
    await boot((b) =>
      b.next("startup", startup({ registration_form: details({ email: "", company_name: "Martin SAS", siret: null }) })),
    );
    expect(value('#register-form [name="company_name"]')).toBe("Martin SAS");
    expect(value('#register-form [name="siret"]')).toBe("");
    expect(value('#register-form [name="city"]')).toBe("Paris");
    expect(text("#footer-text")).toContain("0.1.0");
  });
});

describe("language", () => {
  it("follows Startup.language", async () => {
    await boot((b) => b.next("startup", startup({ language: "en" })), "fr-FR");
    expect(app.language()).toBe("en");
    expect(document.documentElement.lang).toBe("en");
    expect(text("#go-link")).toBe("My company already has one — link this computer");
    expect(($("#language") as HTMLSelectElement).value).toBe("en");
  });

  it("switches from the header control, remembers the choice, and it wins at the next start", async () => {
    await boot();
    const select = $("#language") as HTMLSelectElement;
    select.value = "en";
    select.dispatchEvent(new Event("change"));
    expect(document.documentElement.lang).toBe("en");
    expect(document.title).toBe("Customer account");
    expect(text("#go-register")).toBe("Create my company's customer account");
    expect($('label[for="register-company_name"]').textContent).toContain("Company name");
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe("en");

    loadPage();
    await boot(); // the host still says French
    expect(app.language()).toBe("en");
  });

  it("retranslates what is already on screen", async () => {
    await boot();
    await click("#go-register");
    type('#register-form [name="email"]', "compta@dupont-sarl.fr");
    backend.next("register", failure("rate_limited", { retry_after_seconds: 180 }));
    await submit("#register-form");
    expect(text("#form-error")).toBe("Trop de tentatives. Réessayez dans 3 minutes.");
    const select = $("#language") as HTMLSelectElement;
    select.value = "en";
    select.dispatchEvent(new Event("change"));
    expect(text("#form-error")).toBe("Too many attempts. Try again in 3 minutes.");
  });

  it("retranslates the field errors on show", async () => {
    await bootLinked();
    type('#account-form [name="phone"]', "");
    await submit("#account-form");
    expect(text("#account-error-phone")).toBe("Ce champ est obligatoire.");
    const select = $("#language") as HTMLSelectElement;
    select.value = "en";
    select.dispatchEvent(new Event("change"));
    expect(text("#account-error-phone")).toBe("This field is required.");
    expect(text("#balance")).toBe("2 h 15 min");
    expect(text("#machines")).toContain("This computer");
  });

  it("a second launch updates the language and the untouched prefill", async () => {
    await boot();
    await click("#go-register");
    type('#register-form [name="phone"]', "06 00 00 00 00");
    backend.hostContext?.(
      startup({
        language: "en",
        registration_form: details({ email: "", company_name: "Martin SAS", phone: "01 11 11 11 11", siret: null }),
      }),
    );
    await settle();
    expect(document.documentElement.lang).toBe("en");
    expect(value('#register-form [name="company_name"]')).toBe("Martin SAS");
    expect(value('#register-form [name="phone"]')).toBe("06 00 00 00 00");
  });

  it("a second launch in the same language keeps the user's choice", async () => {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, "en");
    await boot();
    expect(app.language()).toBe("en");
    backend.hostContext?.(startup({ language: "fr" }));
    expect(app.language()).toBe("en");
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe("en");
  });
});

describe("register", () => {
  beforeEach(async () => {
    await boot();
    await click("#go-register");
  });

  it("shows the form", () => {
    expect(visibleScreen()).toEqual(["screen-register"]);
    expect(document.activeElement?.id).toBe("register-title");
  });

  it("shows every refused field at once, under each field, and focuses the first", async () => {
    type('#register-form [name="email"]', "compta@dupont");
    backend.next(
      "register",
      failure("invalid_fields", {
        fields: [
          { field: "siret", code: "siret_check_digit", message: "" },
          { field: "email", code: "invalid_email", message: "" },
          { field: "address.postal_code", code: "invalid_postal_code", message: "" },
        ],
      }),
    );
    await submit("#register-form");
    expect(text("#error-email")).toBe(codeText("invalid_email", "fr"));
    expect(text("#error-siret")).toBe(codeText("siret_check_digit", "fr"));
    expect(text("#error-postal_code")).toBe(codeText("invalid_postal_code", "fr"));
    expect(text("#form-error")).toContain(codeText("invalid_fields", "fr"));
    expect(document.activeElement?.getAttribute("name")).toBe("email");
    expect(visibleScreen()).toEqual(["screen-register"]);
    // What was typed stays.
    expect(value('#register-form [name="email"]')).toBe("compta@dupont");
  });

  it("checks required fields before asking the service", async () => {
    type('#register-form [name="email"]', "");
    type('#register-form [name="phone"]', " ");
    await submit("#register-form");
    expect(backend.callsOf("register")).toEqual([]);
    expect(text("#error-email")).toBe("Ce champ est obligatoire.");
    expect(text("#error-phone")).toBe("Ce champ est obligatoire.");
    expect(document.activeElement?.getAttribute("name")).toBe("email");
  });

  it("sends the details, then asks for the e-mailed password and links", async () => {
    type('#register-form [name="email"]', "compta@dupont-sarl.fr");
    type('#register-form [name="siret"]', "");
    await submit("#register-form");
    const [sent] = backend.callsOf("register");
    const d = sent?.["details"] as AccountDetails;
    expect(d.email).toBe("compta@dupont-sarl.fr");
    expect(d.company_name).toBe("Dupont SARL");
    expect(d.siret).toBeNull();
    expect(d.language).toBe("fr");
    expect(visibleScreen()).toEqual(["screen-password-sent"]);
    expect(text("#sent-text")).toBe("Saisissez le mot de passe que nous avons envoyé à compta@dupont-sarl.fr.");
    expect(document.activeElement?.id).toBe("sent-password");

    await click("#request-password-again");
    expect(backend.callsOf("request_password")).toEqual([{ email: "compta@dupont-sarl.fr", language: "fr" }]);

    type("#sent-password", "k7rm2-xh9pq-4wdtf");
    await click("#sent-submit");
    expect(backend.callsOf("link")).toEqual([
      { email: "compta@dupont-sarl.fr", password: "k7rm2-xh9pq-4wdtf", move_machine: false },
    ]);
    expect(visibleScreen()).toEqual(["screen-account"]);
    expect(text("#customer-id")).toBe("10 019");
    expect(text("#notice")).toBe("Cet ordinateur est lié au compte client 10 019.");
  });

  it("keeps the password-sent screen on a wrong password", async () => {
    type('#register-form [name="email"]', "compta@dupont-sarl.fr");
    await submit("#register-form");
    backend.next("link", failure("invalid_credentials"));
    type("#sent-password", "WRONG");
    await submit("#sent-form");
    expect(visibleScreen()).toEqual(["screen-password-sent"]);
    expect(text("#sent-error")).toBe(codeText("invalid_credentials", "fr"));
    expect($("#sent-password").getAttribute("aria-invalid")).toBe("true");
  });
});

describe("link", () => {
  beforeEach(async () => {
    await boot();
    await click("#go-link");
  });

  it("e-mails the password, then links with it", async () => {
    expect(visibleScreen()).toEqual(["screen-link"]);
    expect($("#link-password").closest("[hidden]")).not.toBeNull();
    type("#link-email", "compta@dupont-sarl.fr");
    await click("#link-send-password");
    expect(backend.callsOf("request_password")).toEqual([{ email: "compta@dupont-sarl.fr", language: "fr" }]);
    expect($("#link-password").closest("[hidden]")).toBeNull();
    expect(document.activeElement?.id).toBe("link-password");
    type("#link-password", "ABCDE-FGHJK-MNPQR");
    await click("#link-submit");
    expect(backend.callsOf("link")).toEqual([
      { email: "compta@dupont-sarl.fr", password: "ABCDE-FGHJK-MNPQR", move_machine: false },
    ]);
    expect(visibleScreen()).toEqual(["screen-account"]);
  });

  it("asks for the e-mail first", async () => {
    type("#link-email", "");
    await click("#link-have-password");
    expect(text("#link-error")).toBe("Adresse e-mail : Ce champ est obligatoire.");
    expect($("#link-email").getAttribute("aria-invalid")).toBe("true");
    expect($("#link-password").closest("[hidden]")).not.toBeNull();
  });

  it("offers to move a computer linked to another account", async () => {
    type("#link-email", "compta@dupont-sarl.fr");
    await click("#link-have-password");
    type("#link-password", "ABCDE-FGHJK-MNPQR");
    backend.next("link", failure("machine_linked_elsewhere"));
    await submit("#link-form");
    expect($("#link-move").hidden).toBe(false);
    expect(text("#link-error")).toBe(codeText("machine_linked_elsewhere", "fr"));
    expect(document.activeElement?.id).toBe("link-move");
    await click("#link-move");
    expect(backend.callsOf("link").at(-1)).toEqual({
      email: "compta@dupont-sarl.fr",
      password: "ABCDE-FGHJK-MNPQR",
      move_machine: true,
    });
    expect(visibleScreen()).toEqual(["screen-account"]);
  });

  it("says how long to wait when rate limited", async () => {
    type("#link-email", "compta@dupont-sarl.fr");
    backend.next("request_password", failure("rate_limited", { retry_after_seconds: 150 }));
    await click("#link-send-password");
    expect(text("#link-error")).toBe("Trop de tentatives. Réessayez dans 3 minutes.");
  });
});

describe("account", () => {
  it("shows the customer ID, the balance, the support calls and the computers", async () => {
    await bootLinked();
    expect(visibleScreen()).toEqual(["screen-account"]);
    expect(text("#customer-id")).toBe("10 019");
    expect(text("#balance")).toBe("2 h 15 min");
    expect($("#balance-note").hidden).toBe(true);
    expect(text("#support-calls")).toContain("12 nov. 2025 — 25 min avec Julien");
    expect(text("#support-calls")).toContain("Clôture de l'exercice");
    expect($("#no-support-calls").hidden).toBe(true);
    const items = [...document.querySelectorAll<HTMLElement>("#machines li[data-machine-id]")];
    expect(items.map((li) => li.dataset["machineId"])).toEqual(["m-this", "m-other"]);
    expect(items[0]?.textContent).toContain("Cet ordinateur");
    expect(items[0]?.querySelector("button.unlink-machine")).toBeNull();
    expect(items[1]?.querySelector("button.unlink-machine")).not.toBeNull();
    expect(items[1]?.textContent).toContain("Même identifiant système");
    expect(items[1]?.textContent).toContain("Vu le 19 novembre 2025 à 16:45");
    expect(value('#account-form [name="company_name"]')).toBe("Dupont SARL");
  });

  it("shows an overdrawn balance and no support calls", async () => {
    await bootLinked({ support_time: { balance_minutes: -75, recent_sessions: [] } });
    expect(text("#balance")).toBe("-1 h 15 min");
    expect($("#balance").classList.contains("overdrawn")).toBe(true);
    expect(text("#balance-note")).toBe("Crédit dépassé de 1 h 15 min.");
    expect($("#no-support-calls").hidden).toBe(false);
  });

  it("copies the customer ID's digits", async () => {
    await bootLinked();
    await click("#copy-customer-id");
    expect(backend.callsOf("copy")).toEqual([{ text: "10019" }]);
    expect(text("#copy-customer-id")).toBe("Copié");
    expect(text("#notice")).toBe("Numéro client copié.");
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(text("#copy-customer-id")).toBe("Copier");
  });

  it("saves with the password and the account's version", async () => {
    await bootLinked();
    type('#account-form [name="phone"]', "06 11 22 33 44");
    await submit("#account-form");
    const dialog = $("#password-dialog");
    expect(dialog.hasAttribute("open")).toBe(true);
    expect(document.activeElement?.id).toBe("dialog-password");
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    backend.next("edit", account({ version: 4, details: details({ phone: "06 11 22 33 44" }) }));
    await click("#dialog-submit");
    const [sent] = backend.callsOf("edit");
    expect(sent?.["password"]).toBe("ABCDE-FGHJK-MNPQR");
    expect(sent?.["version"]).toBe(3);
    expect((sent?.["details"] as AccountDetails).phone).toBe("06 11 22 33 44");
    expect((sent?.["details"] as AccountDetails).language).toBe("fr");
    expect(dialog.hasAttribute("open")).toBe(false);
    expect(text("#notice")).toBe("Enregistré.");
    expect(document.activeElement?.id).toBe("validate");
  });

  it("keeps the dialog open and the form as typed on a wrong password", async () => {
    await bootLinked();
    type('#account-form [name="city"]', "Lyon");
    await submit("#account-form");
    type("#dialog-password", "WRONG");
    backend.next("edit", failure("invalid_credentials"));
    await submit("#password-dialog-form");
    expect($("#password-dialog").hasAttribute("open")).toBe(true);
    expect(text("#dialog-error")).toBe("Mot de passe incorrect.");
    expect($("#dialog-password").getAttribute("aria-invalid")).toBe("true");
    await click("#dialog-cancel");
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(value('#account-form [name="city"]')).toBe("Lyon");
  });

  it("does not ask for the password while a required field is blank", async () => {
    await bootLinked();
    type('#account-form [name="contact_last_name"]', "");
    await submit("#account-form");
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(text("#account-error-contact_last_name")).toBe("Ce champ est obligatoire.");
    expect(document.activeElement?.getAttribute("name")).toBe("contact_last_name");
  });

  it("shows the service's field errors under the account's inputs", async () => {
    await bootLinked();
    type('#account-form [name="siret"]', "123");
    await submit("#account-form");
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    backend.next("edit", failure("invalid_fields", { fields: [{ field: "siret", code: "invalid_siret", message: "" }] }));
    await submit("#password-dialog-form");
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(text("#account-error-siret")).toBe(codeText("invalid_siret", "fr"));
    expect(document.activeElement?.getAttribute("name")).toBe("siret");
    expect(value('#account-form [name="siret"]')).toBe("123");
  });

  it("changed elsewhere: Reload keeps what was typed and takes the new version", async () => {
    await bootLinked();
    type('#account-form [name="phone"]', "06 11 22 33 44");
    await submit("#account-form");
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    backend.next("edit", failure("changed_elsewhere"));
    await submit("#password-dialog-form");
    expect($("#conflict-banner").hidden).toBe(false);
    expect(document.activeElement?.id).toBe("reload");
    expect(value('#account-form [name="phone"]')).toBe("06 11 22 33 44");

    backend.next("account_status", {
      state: "linked",
      account: account({ version: 7, details: details({ company_name: "Dupont & Fils SARL", phone: "01 99 99 99 99" }) }),
    });
    await click("#reload");
    expect($("#conflict-banner").hidden).toBe(true);
    expect(value('#account-form [name="phone"]')).toBe("06 11 22 33 44");
    expect(value('#account-form [name="company_name"]')).toBe("Dupont & Fils SARL");

    await submit("#account-form");
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    await submit("#password-dialog-form");
    const last = backend.callsOf("edit").at(-1);
    expect(last?.["version"]).toBe(7);
    expect((last?.["details"] as AccountDetails).phone).toBe("06 11 22 33 44");
    expect((last?.["details"] as AccountDetails).company_name).toBe("Dupont & Fils SARL");
  });

  it("keeps the dialog and what was typed when the service is unreachable", async () => {
    await bootLinked();
    type('#account-form [name="email"]', "direction@dupont-sarl.fr");
    await submit("#account-form");
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    backend.next("edit", failure("service_unreachable"));
    await submit("#password-dialog-form");
    expect(text("#dialog-error")).toBe(codeText("service_unreachable", "fr"));
    expect(value('#account-form [name="email"]')).toBe("direction@dupont-sarl.fr");
  });

  it("e-mails the password to the account's address", async () => {
    await bootLinked();
    type('#account-form [name="email"]', "typed@elsewhere.fr");
    await click("#email-password");
    expect(backend.callsOf("request_password")).toEqual([{ email: "compta@dupont-sarl.fr", language: "fr" }]);
    expect(text("#notice")).toContain("compta@dupont-sarl.fr");
  });

  it("unlinks another computer with the password, then refreshes", async () => {
    await bootLinked();
    await click('#machines li[data-machine-id="m-other"] button.unlink-machine');
    expect($("#password-dialog").hasAttribute("open")).toBe(true);
    expect(text("#password-dialog-title")).toBe("Délier l'ordinateur PC-COMPTA");
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    backend.next("account_status", {
      state: "linked",
      account: account({ machines: account().machines.slice(0, 1) }),
    });
    await submit("#password-dialog-form");
    expect(backend.callsOf("unlink_machine")).toEqual([{ machine_id: "m-other", password: "ABCDE-FGHJK-MNPQR" }]);
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(document.querySelectorAll("#machines li").length).toBe(1);
    expect(text("#notice")).toBe("L'ordinateur PC-COMPTA a été délié du compte.");
  });

  it("unlinks this computer after confirmation", async () => {
    await bootLinked();
    await click("#unlink-this");
    expect($("#unlink-dialog").hasAttribute("open")).toBe(true);
    expect(document.activeElement?.id).toBe("unlink-cancel");
    await click("#unlink-cancel");
    expect($("#unlink-dialog").hasAttribute("open")).toBe(false);
    expect(backend.callsOf("unlink")).toEqual([]);

    await click("#unlink-this");
    await click("#unlink-confirm");
    expect(backend.callsOf("unlink")).toEqual([{}]);
    expect(visibleScreen()).toEqual(["screen-welcome"]);
    expect(text("#notice")).toBe(texts("fr").unlinkedNotice);
    expect(value('#account-form [name="email"]')).toBe("");
  });

  it("goes back to Welcome when the service says this computer is no longer linked", async () => {
    await bootLinked();
    await submit("#account-form");
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    backend.next("edit", failure("not_linked"));
    await submit("#password-dialog-form");
    expect(visibleScreen()).toEqual(["screen-welcome"]);
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(text("#notice")).toBe(codeText("not_linked", "fr"));
  });
});

describe("the last snapshot, painted at start", () => {
  const SNAPSHOT = {
    account: account({ details: details({ company_name: "Ancien Nom SARL" }) }),
    fetched_at: "2025-11-20T09:04:00Z",
  };

  /** Starts with the snapshot on file and the status still on its way; `finish` answers it. */
  async function bootRefreshing(language: "fr" | "en" = "fr") {
    const status = later<Status | CommandError>();
    backend = new FakeBackend()
      .next("account_snapshot", SNAPSHOT)
      .next("startup", startup({ language }))
      .next("account_status", status.promise);
    app = createApp({ doc: document, backend, storage: localStorage, systemLanguage: null, timeZone: "UTC" });
    const started = app.start();
    await settle();
    return {
      async finish(answer: Status | CommandError) {
        status.resolve(answer);
        await started;
        await settle();
      },
    };
  }

  function fieldsDisabled(): boolean[] {
    return [...document.querySelectorAll<HTMLInputElement>("#account-form input")].map((i) => i.matches(":disabled"));
  }

  it("shows the account at once, read-only and marked as refreshing, then updates it in place", async () => {
    const start = await bootRefreshing();
    expect(backend.calls.map((c) => c.command)).toEqual(["account_snapshot", "startup", "account_status"]);
    expect(visibleScreen()).toEqual(["screen-account"]);
    expect(text("#customer-id")).toBe("10 019");
    expect($("#refreshing-banner").hidden).toBe(false);
    expect(text("#refreshing-text")).toBe("Données enregistrées le 20 novembre 2025 à 09:04 — mise à jour…");
    expect($("#offline-banner").hidden).toBe(true);
    expect($("#screen-account").getAttribute("aria-busy")).toBe("true");
    expect(value('#account-form [name="company_name"]')).toBe("Ancien Nom SARL");
    expect(fieldsDisabled().every(Boolean)).toBe(true);
    for (const id of ["validate", "email-password", "unlink-this", "add-computers", "unlink-stale"]) {
      expect(($(`#${id}`) as HTMLButtonElement).disabled, id).toBe(true);
    }
    expect(($("#copy-customer-id") as HTMLButtonElement).disabled).toBe(false);
    // Nothing that needs fresh data is asked, nor said to be unavailable.
    expect(backend.callsOf("enrollment_keys")).toEqual([]);
    expect($("#no-enrollment-keys").hidden).toBe(true);

    await start.finish({ state: "linked", account: account({ version: 4, details: details({ company_name: "Nouveau Nom SAS" }) }) });
    expect(visibleScreen()).toEqual(["screen-account"]);
    expect($("#refreshing-banner").hidden).toBe(true);
    expect(text("#refreshing-text")).toBe("");
    expect($("#screen-account").hasAttribute("aria-busy")).toBe(false);
    expect(value('#account-form [name="company_name"]')).toBe("Nouveau Nom SAS");
    expect(fieldsDisabled().some(Boolean)).toBe(false);
    expect(($("#validate") as HTMLButtonElement).disabled).toBe(false);
    expect(backend.callsOf("enrollment_keys")).toEqual([{}]);
  });

  it("says it in English too", async () => {
    await bootRefreshing("en");
    expect(text("#refreshing-text")).toBe("Data saved on 20 November 2025 at 09:04 — refreshing…");
  });

  it("goes to Welcome when this computer was unlinked meanwhile: the snapshot does not linger", async () => {
    const start = await bootRefreshing();
    await start.finish({ state: "not_linked" });
    expect(visibleScreen()).toEqual(["screen-welcome"]);
    expect($("#refreshing-banner").hidden).toBe(true);
    expect(value('#account-form [name="company_name"]')).toBe("");
  });

  it("becomes the offline screen when the service cannot be reached", async () => {
    const start = await bootRefreshing();
    await start.finish({ state: "offline", account: SNAPSHOT.account, fetched_at: SNAPSHOT.fetched_at });
    expect(visibleScreen()).toEqual(["screen-account"]);
    expect($("#refreshing-banner").hidden).toBe(true);
    expect($("#offline-banner").hidden).toBe(false);
    expect(fieldsDisabled().every(Boolean)).toBe(true);
  });

  it("is not left on show when the status fails: the failure is said, with Retry", async () => {
    const start = await bootRefreshing();
    await start.finish(failure("credential_store_unavailable"));
    expect(visibleScreen()).toEqual(["loading"]);
    expect(text("#loading-error")).toBe(codeText("credential_store_unavailable", "fr"));
    expect(value('#account-form [name="company_name"]')).toBe("");
    backend.next("account_status", { state: "linked", account: account() });
    await click("#loading-retry");
    expect(visibleScreen()).toEqual(["screen-account"]);
    expect($("#refreshing-banner").hidden).toBe(true);
  });

  it("starts as before without a snapshot, or when it cannot be read", async () => {
    await boot((b) => b.next("account_snapshot", failure("unexpected")));
    expect(visibleScreen()).toEqual(["screen-welcome"]);
  });
});

describe("offline", () => {
  it("shows the last known data read-only with a banner, and Retry brings it back", async () => {
    await boot((b) => b.next("account_status", { state: "offline", account: account(), fetched_at: "2025-11-20T09:04:00Z" }));
    expect(visibleScreen()).toEqual(["screen-account"]);
    expect($("#offline-banner").hidden).toBe(false);
    expect(text("#offline-banner")).toContain("Service injoignable — données du 20 novembre 2025 à 09:04");
    expect(text("#customer-id")).toBe("10 019");
    for (const input of document.querySelectorAll<HTMLInputElement>("#account-form input, #account-form textarea")) {
      expect(input.matches(":disabled"), input.name).toBe(true);
    }
    expect(($("#validate") as HTMLButtonElement).disabled).toBe(true);
    expect(($("#unlink-this") as HTMLButtonElement).disabled).toBe(true);
    expect(($("#copy-customer-id") as HTMLButtonElement).disabled).toBe(false);

    backend.next("account_status", { state: "offline", account: account(), fetched_at: "2025-11-20T09:04:00Z" });
    await click("#retry");
    expect($("#offline-banner").hidden).toBe(false);
    expect(text("#notice")).toBe(codeText("service_unreachable", "fr"));

    backend.next("account_status", { state: "linked", account: account({ version: 5 }) });
    await click("#retry");
    expect($("#offline-banner").hidden).toBe(true);
    expect(($('#account-form [name="email"]') as HTMLInputElement).disabled).toBe(false);
    expect(($("#account-fields") as HTMLFieldSetElement).disabled).toBe(false);
    expect(text("#notice")).toBe(texts("fr").backOnline);
  });
});

describe("a new e-mail address, confirmed with the code mailed to it", () => {
  const NEW = "direction@dupont-sarl.fr";
  const OLD = "compta@dupont-sarl.fr";

  function pending(overrides = {}) {
    return account({ version: 4, pending_email: NEW, ...overrides });
  }

  async function validateNewEmail(): Promise<void> {
    type('#account-form [name="email"]', NEW);
    await submit("#account-form");
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    backend.next("edit", pending());
    await submit("#password-dialog-form");
  }

  it("after Validate, says a code was sent and asks for it under the e-mail field", async () => {
    await bootLinked();
    expect($("#email-pending").hidden).toBe(true);
    await validateNewEmail();
    expect((backend.callsOf("edit")[0]?.["details"] as AccountDetails).email).toBe(NEW);
    expect($("#email-pending").hidden).toBe(false);
    expect(text("#email-pending-text")).toBe(
      `Un code a été envoyé à ${NEW} — saisissez-le pour utiliser cette adresse.`,
    );
    expect(text("#email-pending-hint")).toContain(OLD);
    // The account keeps its address until the code is entered.
    expect(value('#account-form [name="email"]')).toBe(OLD);
    expect(text("#notice")).toBe(texts("fr").savedEmailPending(NEW));
    expect(document.activeElement?.id).toBe("email-code");
  });

  it("a wrong code: its message under the field, the code kept; then the right one", async () => {
    await bootLinked();
    await validateNewEmail();
    type("#email-code", "K7RM-2XQE");
    backend.next("confirm_email", failure("email_code_invalid"));
    backend.next("account_status", { state: "linked", account: pending() });
    await click("#email-confirm");
    expect(backend.callsOf("confirm_email")).toEqual([{ code: "K7RM-2XQE" }]);
    expect(text("#email-code-error")).toBe(codeText("email_code_invalid", "fr"));
    expect($("#email-code").getAttribute("aria-invalid")).toBe("true");
    expect(value("#email-code")).toBe("K7RM-2XQE");
    // The save's notice is gone: it would cover the panel.
    expect(text("#notice")).toBe("");
    expect(document.activeElement?.id).toBe("email-code");
    expect($("#email-pending").hidden).toBe(false);

    type("#email-code", "k7rm 2xqd");
    backend.next("confirm_email", account({ version: 5, details: details({ email: NEW }) }));
    await click("#email-confirm");
    expect(backend.callsOf("confirm_email").at(-1)).toEqual({ code: "k7rm 2xqd" });
    expect($("#email-pending").hidden).toBe(true);
    expect(value('#account-form [name="email"]')).toBe(NEW);
    expect(text("#notice")).toBe(`L'adresse e-mail du compte est désormais ${NEW}.`);
    expect(value("#email-code")).toBe("");
    expect(text("#email-code-error")).toBe("");

    // The next Validate sends the new version.
    await submit("#account-form");
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    await submit("#password-dialog-form");
    expect(backend.callsOf("edit").at(-1)?.["version"]).toBe(5);
  });

  it("Enter in the code field confirms, without opening the password dialog", async () => {
    await bootLinked({ pending_email: NEW });
    type("#email-code", "K7RM-2XQD");
    const enter = new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
    $("#email-code").dispatchEvent(enter);
    await settle();
    expect(enter.defaultPrevented).toBe(true);
    expect(backend.callsOf("confirm_email")).toEqual([{ code: "K7RM-2XQD" }]);
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
  });

  it("asks for the code before calling the service", async () => {
    await bootLinked({ pending_email: NEW });
    type("#email-code", "  ");
    await click("#email-confirm");
    expect(backend.callsOf("confirm_email")).toEqual([]);
    expect(text("#email-code-error")).toBe("Ce champ est obligatoire.");
    expect($("#email-code").getAttribute("aria-invalid")).toBe("true");
  });

  it("shows the change waiting when the screen opens, in the chosen language", async () => {
    await bootLinked({ pending_email: NEW });
    expect($("#email-pending").hidden).toBe(false);
    expect(text("#email-pending-text")).toContain(NEW);
    const select = $("#language") as HTMLSelectElement;
    select.value = "en";
    select.dispatchEvent(new Event("change"));
    expect(text("#email-pending-text")).toBe(`A code was sent to ${NEW} — enter it to use this address.`);
    expect(text("#email-confirm")).toBe("Confirm");
    expect(text("#email-cancel-change")).toBe("Cancel the change");
    expect($('label[for="email-code"]').textContent).toBe("Confirmation code");
  });

  it("says how long to wait after too many tries, keeping the code", async () => {
    await bootLinked({ pending_email: NEW });
    type("#email-code", "K7RM-2XQE");
    backend.next("confirm_email", failure("rate_limited", { retry_after_seconds: 600 }));
    await click("#email-confirm");
    expect(text("#email-code-error")).toBe("Trop de tentatives. Réessayez dans 10 minutes.");
    expect(value("#email-code")).toBe("K7RM-2XQE");
    expect(backend.callsOf("account_status").length).toBe(1);
  });

  it("a refused code after which nothing waits any more: the notice says what to do", async () => {
    await bootLinked({ pending_email: NEW });
    type("#email-code", "K7RM-2XQE");
    backend.next("confirm_email", failure("email_code_invalid"));
    backend.next("account_status", { state: "linked", account: account({ version: 4 }) });
    await click("#email-confirm");
    expect($("#email-pending").hidden).toBe(true);
    expect(text("#notice")).toBe(texts("fr").emailChangeDropped(OLD));
    expect(value('#account-form [name="email"]')).toBe(OLD);
  });

  it("a refused code, the change having been confirmed from another computer", async () => {
    await bootLinked({ pending_email: NEW });
    type("#email-code", "K7RM-2XQD");
    backend.next("confirm_email", failure("email_code_invalid"));
    backend.next("account_status", { state: "linked", account: account({ version: 5, details: details({ email: NEW }) }) });
    await click("#email-confirm");
    expect($("#email-pending").hidden).toBe(true);
    expect(value('#account-form [name="email"]')).toBe(NEW);
    expect(text("#notice")).toBe(texts("fr").emailChangedNotice(NEW));
  });

  it("cancels the change: the account keeps its address", async () => {
    await bootLinked({ pending_email: NEW });
    type('#account-form [name="phone"]', "06 11 22 33 44");
    backend.next("cancel_email_change", account({ version: 4 }));
    await click("#email-cancel-change");
    expect(backend.callsOf("cancel_email_change")).toEqual([{}]);
    expect($("#email-pending").hidden).toBe(true);
    expect(text("#notice")).toBe(`Changement d'adresse annulé : le compte garde l'adresse ${OLD}.`);
    // What was typed elsewhere in the form stays.
    expect(value('#account-form [name="phone"]')).toBe("06 11 22 33 44");
  });

  it("back to Welcome when the computer is no longer linked", async () => {
    await bootLinked({ pending_email: NEW });
    type("#email-code", "K7RM-2XQD");
    backend.next("confirm_email", failure("not_linked"));
    await click("#email-confirm");
    expect(visibleScreen()).toEqual(["screen-welcome"]);
    expect($("#email-pending").hidden).toBe(true);
    expect(value("#email-code")).toBe("");
  });

  it("offline: the change waiting is shown, but nothing can be sent", async () => {
    await boot((b) =>
      b.next("account_status", { state: "offline", account: account({ pending_email: NEW }), fetched_at: "2025-11-20T09:04:00Z" }),
    );
    expect($("#email-pending").hidden).toBe(false);
    expect(($("#email-code") as HTMLInputElement).matches(":disabled")).toBe(true);
    expect(($("#email-confirm") as HTMLButtonElement).matches(":disabled")).toBe(true);
    expect(($("#email-cancel-change") as HTMLButtonElement).matches(":disabled")).toBe(true);
  });
});
