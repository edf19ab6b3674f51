// Entry point: the page inside the app's window, talking to the app through Tauri.

import { tauriBackend } from "./api";
import { createApp } from "./app";
import "./styles.css";

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

void createApp({
  doc: document,
  backend: tauriBackend,
  storage: localStorageOrNull(),
  systemLanguage: navigator.language,
}).start();
