// @vitest-environment jsdom
// Link: the account's address, then its password (typed or asked for); the move offered
// to a computer linked elsewhere.

import { describe, expect, it } from "vitest";
import type { AccountView } from "../../src/api";
import { codeText } from "../../src/messages";
import { createLink } from "../../src/screens/link";
import { $, click, failure, FakeBackend, focusedId, newPage, pressEnter, submit, text, type, value } from "../fixtures";

function open(backend = new FakeBackend(), prefill: string | null = null) {
  const page = newPage(backend);
  const linked: AccountView[] = [];
  const link = createLink(page, () => prefill, (view) => void linked.push(view));
  link.open(null, null);
  return { backend, link, linked };
}

const passwordShown = () => $("#link-password").closest("[hidden]") === null;

describe("link", () => {
  it("starts with the host's address, the password not asked yet", () => {
    open(new FakeBackend(), "compta@dupont-sarl.fr");
    expect(value("#link-email")).toBe("compta@dupont-sarl.fr");
    expect(passwordShown()).toBe(false);
    expect($("#link-submit").hidden).toBe(true);
    expect(text("#link-send-password")).toBe("M'envoyer mon mot de passe par e-mail");
  });

  it("Enter in the e-mail field goes on to the password, sending no e-mail", async () => {
    const { backend } = open();
    type("#link-email", "compta@dupont-sarl.fr");
    const enter = await pressEnter("#link-email");
    expect(enter.defaultPrevented).toBe(true);
    expect(backend.callsOf("request_password")).toEqual([]);
    expect(passwordShown()).toBe(true);
    expect(focusedId()).toBe("link-password");
  });

  it("a password request says a new password was sent if the address is an account's", async () => {
    open();
    type("#link-email", "compta@dupont-sarl.fr");
    await click("#link-send-password");
    expect(text("#notice")).toBe(
      "Si compta@dupont-sarl.fr est l'adresse d'un compte client, un nouveau mot de passe vient d'y être envoyé.",
    );
    expect(passwordShown()).toBe(true);
  });

  it("a wrong password is marked and selected; a refused address gets the focus", async () => {
    const { backend } = open();
    type("#link-email", "compta@dupont-sarl.fr");
    await click("#link-have-password");
    type("#link-password", "WRONG");
    backend.next("link", failure("invalid_credentials"));
    await submit("#link-form");
    expect(text("#link-error")).toBe(codeText("invalid_credentials", "fr"));
    expect($("#link-password").getAttribute("aria-invalid")).toBe("true");
    expect(focusedId()).toBe("link-password");

    backend.next("link", failure("invalid_fields", { fields: [{ field: "email", code: "invalid_email", message: "" }] }));
    await submit("#link-form");
    expect($("#link-email").getAttribute("aria-invalid")).toBe("true");
    expect(focusedId()).toBe("link-email");
  });

  it("offers the move only to a computer linked elsewhere, then links", async () => {
    const { backend, linked, link } = open();
    link.open("compta@dupont-sarl.fr", "ABCDE-FGHJK-MNPQR");
    expect(passwordShown()).toBe(true);
    backend.next("link", failure("machine_linked_elsewhere"));
    await submit("#link-form");
    expect($("#link-move").hidden).toBe(false);
    expect(text("#link-move")).toBe("Transférer cet ordinateur vers ce compte");
    expect(focusedId()).toBe("link-move");
    await click("#link-move");
    expect(backend.callsOf("link").at(-1)?.["move_machine"]).toBe(true);
    expect(linked.length).toBe(1);
    link.reset();
    expect($("#link-move").hidden).toBe(true);
    expect(value("#link-password")).toBe("");
  });
});
