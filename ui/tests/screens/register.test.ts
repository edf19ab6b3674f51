// @vitest-environment jsdom
// Register: the prefill, the checks before the service, its refusals, then on to the
// password e-mailed.

import { describe, expect, it } from "vitest";
import { codeText } from "../../src/messages";
import { createRegister } from "../../src/screens/register";
import { details, failure, FakeBackend, focusedId, newPage, submit, text, type, value } from "../fixtures";

function open(backend = new FakeBackend()) {
  const page = newPage(backend);
  const sent: string[] = [];
  const register = createRegister(page, (email) => void sent.push(email));
  page.show("register");
  return { backend, register, sent };
}

describe("register", () => {
  it("is prefilled from the host; a new prefill keeps what the user typed", () => {
    const { register } = open();
    register.prefill(details({ email: "", company_name: "Dupont SARL", phone: "01 23 45 67 89" }));
    expect(value("#register-company_name")).toBe("Dupont SARL");
    type("#register-phone", "06 00 00 00 00");
    register.prefill(details({ email: "", company_name: "Martin SAS", phone: "01 11 11 11 11" }));
    expect(value("#register-company_name")).toBe("Martin SAS");
    expect(value("#register-phone")).toBe("06 00 00 00 00");
  });

  it("names the required fields left blank, without asking the service", async () => {
    const { backend } = open();
    await submit("#register-form");
    expect(backend.callsOf("register")).toEqual([]);
    expect(text("#error-email")).toBe("Ce champ est obligatoire.");
    expect(text("#form-error")).toBe(codeText("invalid_fields", "fr"));
    expect(focusedId()).toBe("register-email");
  });

  it("says the service does not answer, and forgets the fields' earlier errors", async () => {
    const { register, backend } = open();
    register.prefill(details({ email: "" }));
    await submit("#register-form");
    expect(text("#error-email")).not.toBe("");
    type("#register-email", "compta@dupont-sarl.fr");
    backend.next("register", failure("service_unreachable"));
    await submit("#register-form");
    expect(text("#error-email")).toBe("");
    expect(text("#form-error")).toBe(codeText("service_unreachable", "fr"));
  });

  it("goes on to the password with the address typed", async () => {
    const { register, sent } = open();
    register.prefill(details({ email: "" }));
    type("#register-email", " compta@dupont-sarl.fr ");
    await submit("#register-form");
    expect(sent).toEqual(["compta@dupont-sarl.fr"]);
    expect(text("#form-error")).toBe("");
  });
});
