import { invoke } from "@tauri-apps/api/core";
import { messages, pickLang } from "./i18n";
import "./styles.css";

/** What the `service_health` command returns (src-tauri/lib.rs, `ServiceHealth`). */
interface ServiceHealth {
  url: string;
  reachable: boolean;
  status: string | null;
  error: string | null;
}

type State = "checking" | "reachable" | "unreachable";

function element<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) {
    throw new Error(`missing element #${id}`);
  }
  return found;
}

const lang = pickLang(navigator.language);
const text = messages(lang);

const urlEl = element("url", HTMLElement);
const statusEl = element("status", HTMLParagraphElement);
const detailEl = element("detail", HTMLParagraphElement);
const retryEl = element("retry", HTMLButtonElement);

function applyLanguage(): void {
  document.documentElement.lang = lang;
  document.title = text.title;
  element("title", HTMLHeadingElement).textContent = text.title;
  element("service-heading", HTMLHeadingElement).textContent = text.serviceHeading;
  element("url-label", HTMLElement).textContent = text.urlLabel;
  retryEl.textContent = text.retry;
}

function show(state: State, message: string, detail: string | null): void {
  statusEl.dataset["state"] = state;
  statusEl.textContent = message;
  detailEl.textContent = detail ?? "";
  detailEl.hidden = detail === null || detail === "";
  retryEl.disabled = state === "checking";
}

async function check(): Promise<void> {
  show("checking", text.checking, null);
  try {
    const health = await invoke<ServiceHealth>("service_health");
    urlEl.textContent = health.url;
    if (health.reachable) {
      show("reachable", text.reachable, health.status);
    } else {
      show("unreachable", text.unreachable, health.error ?? health.status);
    }
  } catch (error: unknown) {
    // The command itself failed (e.g. not allowed, or the page runs outside the app).
    urlEl.textContent = text.unknownUrl;
    show("unreachable", text.unreachable, String(error));
  }
}

applyLanguage();
retryEl.addEventListener("click", () => {
  void check();
});
void check();
