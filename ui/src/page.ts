// What every screen shares: the language and the words on show (redone when it changes),
// the notice, which screen is displayed, and one request at a time.

import type { Backend, FieldError } from "./api";
import { byId } from "./dom";
import { clearFieldErrors, showFieldErrors } from "./form";
import { isStaticKey, type Lang, type Texts, texts } from "./i18n";
import { fieldLabel } from "./messages";
import { SCREEN_ELEMENT_IDS, SCREENS, type ScreenId } from "./state";

/** A text in the current language; asked again when the language changes. */
export type Producer = (t: Texts, lang: Lang) => string;

export type NoticeKind = "success" | "error" | "info";

export interface PageOptions {
  doc: Document;
  backend: Backend;
  lang: Lang;
  /** For tests: the time zone dates are shown in (default: the system's). */
  timeZone?: string | undefined;
}

export interface Page {
  readonly doc: Document;
  readonly backend: Backend;
  readonly timeZone: string | undefined;
  el(id: string): HTMLElement;
  button(id: string): HTMLButtonElement;
  input(id: string): HTMLInputElement;
  form(id: string): HTMLFormElement;
  dialog(id: string): HTMLDialogElement;

  lang(): Lang;
  /** Speaks `next` from now on (every text on show is redone). */
  setLanguage(next: Lang): void;
  /** Writes every text on show in the current language. */
  applyLanguage(): void;
  /** Runs after every text was redone in a new language (to redraw what is built in code). */
  onLanguage(redraw: () => void): void;

  /** Shows `producer`'s text in `element`, in this language and the next; null empties it. */
  say(element: HTMLElement, producer: Producer | null): void;
  /** Gives `element` back its own `data-i18n` text. */
  unsay(element: HTMLElement): void;
  /** The notice above the screens; null empties it. */
  notify(kind: NoticeKind, producer: Producer | null): void;
  /** Field errors under a form's inputs (their text follows the language). */
  showFieldErrors(form: HTMLFormElement, prefix: string, errors: FieldError[]): ReturnType<typeof showFieldErrors>;
  clearFieldErrors(form: HTMLFormElement, prefix: string): void;

  screen(): ScreenId;
  /** Displays `screen` alone; focus goes to its heading, to `focus`, or stays (null). */
  show(screen: ScreenId, focus?: HTMLElement | "heading" | null): void;

  busy(): boolean;
  /** Runs `task` unless another one runs; the page says it is busy meanwhile. */
  guarded(trigger: HTMLElement | null, task: () => Promise<void>): Promise<void>;
}

export function createPage(options: PageOptions): Page {
  const { doc, backend } = options;
  let lang = options.lang;
  let current: ScreenId = "loading";
  const marked = new Set<ScreenId>();
  let busy = false;
  const producers = new Map<HTMLElement, Producer>();
  const shownFieldErrors = new Map<HTMLFormElement, { prefix: string; errors: FieldError[] }>();
  const redraws: Array<() => void> = [];
  const notice = byId(doc, "notice", HTMLElement);

  const el = (id: string) => byId(doc, id, HTMLElement);

  function applyLanguage(): void {
    const t = texts(lang);
    doc.documentElement.lang = lang;
    doc.title = t.appTitle;
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
    for (const redraw of redraws) {
      redraw();
    }
  }

  function say(element: HTMLElement, producer: Producer | null): void {
    if (producer === null) {
      producers.delete(element);
      element.textContent = "";
    } else {
      producers.set(element, producer);
      element.textContent = producer(texts(lang), lang);
    }
  }

  return {
    doc,
    backend,
    timeZone: options.timeZone,
    el,
    button: (id) => byId(doc, id, HTMLButtonElement),
    input: (id) => byId(doc, id, HTMLInputElement),
    form: (id) => byId(doc, id, HTMLFormElement),
    dialog: (id) => byId(doc, id, HTMLDialogElement),

    lang: () => lang,
    setLanguage(next) {
      if (next !== lang) {
        lang = next;
        applyLanguage();
      }
    },
    applyLanguage,
    onLanguage: (redraw) => void redraws.push(redraw),

    say,
    unsay(element) {
      producers.delete(element);
      const key = element.dataset["i18n"] ?? "";
      element.textContent = isStaticKey(key) ? texts(lang)[key] : "";
    },
    notify(kind, producer) {
      notice.dataset["kind"] = kind;
      say(notice, producer);
    },
    showFieldErrors(form, prefix, errors) {
      shownFieldErrors.set(form, { prefix, errors });
      return showFieldErrors(form, prefix, errors, lang);
    },
    clearFieldErrors(form, prefix) {
      shownFieldErrors.delete(form);
      clearFieldErrors(form, prefix);
    },

    screen: () => current,
    show(screen, focus = "heading") {
      current = screen;
      // When each screen was first shown, in the page's clock: the window's cold-start
      // benchmark compares it with the first paint (tests/window.rs).
      if (!marked.has(screen)) {
        marked.add(screen);
        performance.mark(`screen:${screen}`);
      }
      for (const id of SCREENS) {
        el(SCREEN_ELEMENT_IDS[id]).hidden = id !== screen;
      }
      if (focus === "heading") {
        el(SCREEN_ELEMENT_IDS[screen]).querySelector<HTMLElement>("h1")?.focus();
      } else if (focus !== null) {
        focus.focus();
      }
    },

    busy: () => busy,
    async guarded(trigger, task) {
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
    },
  };
}
