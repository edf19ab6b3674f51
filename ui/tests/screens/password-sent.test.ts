// @vitest-environment jsdom
// Password entry after registering: link with the password e-mailed, or ask for a new one.

import { describe, expect, it } from "vitest";
import type { AccountView, CommandError } from "../../src/api";
import { codeText } from "../../src/messages";
import { createPasswordSent } from "../../src/screens/password-sent";
import { $, click, failure, FakeBackend, focusedId, newPage, submit, text, type, visibleScreens } from "../fixtures";

function open(backend = new FakeBackend()) {
  const page = newPage(backend);
  const linked: AccountView[] = [];
  const elsewhere: Array<[string, string, CommandError]> = [];
  const screen = createPasswordSent(page, {
    linked: (view) => void linked.push(view),
    linkedElsewhere: (email, password, f) => void elsewhere.push([email, password, f]),
  });
  screen.open("compta@dupont-sarl.fr");
  return { backend, linked, elsewhere };
}

describe("password entry", () => {
  it("says where the password went, and waits for it in its field", () => {
    open();
    expect(visibleScreens()).toEqual(["screen-password-sent"]);
    expect(text("#sent-text")).toBe("Saisissez le mot de passe que nous avons envoyé à compta@dupont-sarl.fr.");
    expect(focusedId()).toBe("sent-password");
    expect(text("#request-password-again")).toBe("M'envoyer un nouveau mot de passe");
  });

  it("asks for the password before linking", async () => {
    const { backend } = open();
    await submit("#sent-form");
    expect(backend.callsOf("link")).toEqual([]);
    expect(text("#sent-error")).toBe("Mot de passe : Ce champ est obligatoire.");
  });

  it("links with it; a wrong one is marked and kept to be corrected", async () => {
    const { backend, linked } = open();
    type("#sent-password", "WRONG");
    backend.next("link", failure("invalid_credentials"));
    await submit("#sent-form");
    expect(text("#sent-error")).toBe(codeText("invalid_credentials", "fr"));
    expect($("#sent-password").getAttribute("aria-invalid")).toBe("true");
    expect(focusedId()).toBe("sent-password");
    type("#sent-password", "ABCDE-FGHJK-MNPQR");
    await submit("#sent-form");
    expect(linked.map((v) => v.customer_id)).toEqual(["10019"]);
  });

  it("hands a computer linked to another account to the link screen", async () => {
    const { backend, elsewhere } = open();
    type("#sent-password", "ABCDE-FGHJK-MNPQR");
    backend.next("link", failure("machine_linked_elsewhere"));
    await submit("#sent-form");
    expect(elsewhere.map(([e, p, f]) => [e, p, f.code])).toEqual([
      ["compta@dupont-sarl.fr", "ABCDE-FGHJK-MNPQR", "machine_linked_elsewhere"],
    ]);
  });

  it("a password request e-mails a new password, and says the current one still works", async () => {
    const { backend } = open();
    await click("#request-password-again");
    expect(backend.callsOf("request_password")).toEqual([{ email: "compta@dupont-sarl.fr", language: "fr" }]);
    expect(text("#notice")).toBe(
      "Un nouveau mot de passe a été envoyé à compta@dupont-sarl.fr. L'actuel reste valable tant que vous n'avez pas utilisé le nouveau.",
    );
    expect(focusedId()).toBe("sent-password");
    backend.next("request_password", failure("rate_limited", { retry_after_seconds: 60 }));
    await click("#request-password-again");
    expect(text("#sent-error")).toBe("Trop de tentatives. Réessayez dans 1 minute.");
  });
});
