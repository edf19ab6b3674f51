// Welcome: register the company, or link this computer to its account; every "Back"
// button leads here.

import type { Page } from "../page";

export function wireWelcome(page: Page, openLink: () => void): void {
  page.button("go-register").addEventListener("click", () => {
    page.notify("info", null);
    page.show("register");
  });
  page.button("go-link").addEventListener("click", () => {
    page.notify("info", null);
    openLink();
  });
  for (const back of page.doc.querySelectorAll<HTMLButtonElement>("button.go-welcome")) {
    back.addEventListener("click", () => {
      page.notify("info", null);
      page.show("welcome");
    });
  }
}
