// @vitest-environment jsdom
// Welcome: the two ways in, and every "Back" leading here.

import { describe, expect, it } from "vitest";
import { wireWelcome } from "../../src/screens/welcome";
import { $, click, focusedId, newPage, text, visibleScreens } from "../fixtures";

describe("welcome", () => {
  it("leads to the registration form, its heading focused, the notice gone", async () => {
    const page = newPage();
    wireWelcome(page, () => {});
    page.show("welcome");
    page.notify("success", (t) => t.unlinkedNotice);
    expect(text("#go-register")).toBe("Créer le compte client de mon entreprise");
    await click("#go-register");
    expect(visibleScreens()).toEqual(["screen-register"]);
    expect(focusedId()).toBe("register-title");
    expect(text("#notice")).toBe("");
  });

  it("leads to the link screen", async () => {
    const page = newPage();
    let opened = 0;
    wireWelcome(page, () => void (opened += 1));
    page.show("welcome");
    expect(text("#go-link")).toBe("Mon entreprise a déjà un compte — lier cet ordinateur");
    await click("#go-link");
    expect(opened).toBe(1);
  });

  it("is where every Back button leads", async () => {
    const page = newPage();
    wireWelcome(page, () => {});
    for (const screen of ["register", "password-sent", "link"] as const) {
      page.show(screen);
      await click(`#screen-${screen} button.go-welcome`);
      expect(visibleScreens()).toEqual(["screen-welcome"]);
      expect(focusedId()).toBe("welcome-title");
    }
    expect(text("#screen-link button.go-welcome")).toBe("Retour");
    expect($("#screen-welcome").hidden).toBe(false);
  });
});
