// The page: builds the screens of index.html and starts them. Each screen and each part of
// the account screen is its own module; they share the page (page.ts) and one way to run
// a service call and show its error (call.ts).

import type { AccountView, Backend, Startup } from "./api";
import { toCommandError } from "./api";
import { createAccountScreen } from "./account/account";
import { buildDetailsForms } from "./details-fields";
import { byId, wireRevealBoxes } from "./dom";
import { buildPasswordFields } from "./password-fields";
import {
  initialLanguage,
  isLang,
  type Lang,
  languageAfterHostContext,
  storedLanguage,
  storeLanguage,
} from "./i18n";
import { createPage } from "./page";
import { createLink } from "./screens/link";
import { createLoading } from "./screens/loading";
import { createPasswordSent } from "./screens/password-sent";
import { createRegister } from "./screens/register";
import { wireWelcome } from "./screens/welcome";
import type { ScreenId } from "./state";

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

export function createApp(options: AppOptions): App {
  const { doc, backend, storage } = options;
  buildDetailsForms(doc);
  buildPasswordFields(doc);
  const page = createPage({
    doc,
    backend,
    lang: initialLanguage(storedLanguage(storage), null, options.systemLanguage),
    timeZone: options.timeZone,
  });
  const languageSelect = byId(doc, "language", HTMLSelectElement);
  const footer = page.el("footer-text");
  let startup: Startup | null = null;
  let hostLanguage: string | null = null;

  const account = createAccountScreen(page, options.copiedFeedbackMs ?? 2000);
  const loading = createLoading(page, account.applyStatus, account);
  const linked = (view: AccountView) => {
    passwordSent.reset();
    link.reset();
    account.linked(view);
  };
  const link = createLink(page, () => startup?.registration_form.email ?? null, linked);
  const passwordSent = createPasswordSent(page, {
    linked,
    linkedElsewhere(email, password, failure) {
      // The link screen explains it and offers the move, with what was typed.
      link.open(email, password);
      link.failed(failure);
    },
  });
  const register = createRegister(page, (email) => passwordSent.open(email));

  function wire(): void {
    page.onLanguage(() => {
      languageSelect.value = page.lang();
    });
    languageSelect.addEventListener("change", () => {
      const value = languageSelect.value;
      if (isLang(value)) {
        storeLanguage(storage, value);
        page.setLanguage(value);
      }
    });
    wireWelcome(page, () => link.open(null, null));
    wireRevealBoxes(doc);
  }

  /** The host software's context: language, service, version, the registration prefill. */
  function takeContext(next: Startup): void {
    startup = next;
    hostLanguage = next.language;
    register.prefill(next.registration_form);
    page.say(footer, (t) => `${t.footer(next.version)} · ${next.service_url}`);
  }

  /** A second launch of the program handed new host context. */
  function onHostContext(next: Startup): void {
    const choice = languageAfterHostContext(page.lang(), hostLanguage, next.language);
    if (choice.forgetChoice) {
      storeLanguage(storage, null);
    }
    takeContext(next);
    page.setLanguage(choice.lang);
  }

  async function start(): Promise<void> {
    wire();
    page.applyLanguage();
    // Asked beside `startup`: the last snapshot comes from the data folder alone, so the
    // account is painted before the credential store and the service are asked.
    const snapshot = backend.accountSnapshot().catch((error: unknown) => {
      console.error("no snapshot", toCommandError(error));
      return null;
    });
    try {
      const first = await backend.startup();
      takeContext(first);
      page.setLanguage(initialLanguage(storedLanguage(storage), first.language, options.systemLanguage));
    } catch (error: unknown) {
      console.error("startup failed", toCommandError(error));
    }
    page.applyLanguage();
    const last = await snapshot;
    if (last !== null) {
      account.showSnapshot(last);
    }
    try {
      await backend.onHostContext(onHostContext);
    } catch (error: unknown) {
      console.error("cannot listen to host-context", toCommandError(error));
    }
    await loading.load();
  }

  return { start, language: page.lang, screen: page.screen };
}
