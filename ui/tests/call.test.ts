// @vitest-environment jsdom
// call.ts: how a failed service call shows to the user.

import { describe, expect, it } from "vitest";
import { callService, requireValue, showFormErrors } from "../src/call";
import { codeText } from "../src/messages";
import { $, failure, focusedId, newPage, text } from "./fixtures";

const fail = (code: string, extra = {}) => () => Promise.reject(failure(code, extra));

describe("a service call", () => {
  it("answers its value", async () => {
    const page = newPage();
    expect(await callService(page, () => Promise.resolve(42), {})).toEqual({ value: 42 });
  });

  it("says each refused field on its own line", async () => {
    const page = newPage();
    const fields = [{ field: "email", code: "invalid_email", message: "" }];
    expect(await callService(page, fail("invalid_fields", { fields }), { slot: $("#link-error") })).toBeNull();
    expect(text("#link-error")).toBe(`${codeText("invalid_fields", "fr")}\nAdresse e-mail : ${codeText("invalid_email", "fr")}`);
  });

  it("says how long to wait when rate limited, in the notice when no place is given", async () => {
    const page = newPage();
    await callService(page, fail("rate_limited", { retry_after_seconds: 45 }), {});
    expect(text("#notice")).toBe("Trop de tentatives. Réessayez dans 45 secondes.");
    expect($("#notice").dataset["kind"]).toBe("error");
    page.setLanguage("en");
    expect(text("#notice")).toBe("Too many attempts. Try again in 45 seconds.");
  });

  it("says the service does not answer when offline", async () => {
    const page = newPage();
    await callService(page, fail("service_unreachable"), { slot: $("#sent-error") });
    expect(text("#sent-error")).toBe(codeText("service_unreachable", "fr"));
  });

  it("marks a wrong password, selects it to be retyped, with the dialog's words", async () => {
    const page = newPage();
    const password = $("#sent-password") as HTMLInputElement;
    page.show("password-sent", null);
    password.value = "WRONG";
    await callService(page, fail("invalid_credentials"), {
      slot: $("#sent-error"),
      password,
      wrongPassword: (t) => t.wrongPassword,
    });
    expect(text("#sent-error")).toBe("Mot de passe incorrect.");
    expect(password.getAttribute("aria-invalid")).toBe("true");
    expect(focusedId()).toBe("sent-password");
    expect(password.selectionEnd! - password.selectionStart!).toBe(5);

    await callService(page, fail("service_unreachable"), { slot: $("#sent-error"), password });
    expect(password.hasAttribute("aria-invalid")).toBe(false);
  });

  it("hands 'no longer linked', and codes a screen handles itself, to their handlers", async () => {
    const page = newPage();
    const seen: string[] = [];
    const target = {
      slot: $("#link-error"),
      unlinked: () => void seen.push("unlinked"),
      on: { changed_elsewhere: () => void seen.push("changed") },
    };
    await callService(page, fail("not_linked"), target);
    await callService(page, fail("changed_elsewhere"), target);
    await callService(page, fail("unexpected"), { ...target, otherwise: () => void seen.push("otherwise") });
    expect(seen).toEqual(["unlinked", "changed", "otherwise"]);
    expect(text("#link-error")).toBe("");
  });
});

describe("a form's errors", () => {
  it("go under their inputs, the rest in the summary; the first input to focus comes back", () => {
    const page = newPage();
    const form = $("#account-form") as HTMLFormElement;
    const first = showFormErrors(page, { form, prefix: "account-", summary: $("#account-form-error") }, [
      { field: "phone", code: "invalid_phone", message: "" },
      { field: "language", code: "invalid_language", message: "" },
    ]);
    expect(first?.id).toBe("account-phone");
    expect(text("#account-error-phone")).toBe(codeText("invalid_phone", "fr"));
    expect(text("#account-form-error")).toBe(`${codeText("invalid_fields", "fr")}\nLangue : ${codeText("invalid_language", "fr")}`);
  });

  it("an empty required input is named, marked and focused", () => {
    const page = newPage();
    page.show("link", null);
    const email = $("#link-email") as HTMLInputElement;
    email.value = " ";
    expect(requireValue(page, email, "email", $("#link-error"))).toBe(false);
    expect(text("#link-error")).toBe("Adresse e-mail : Ce champ est obligatoire.");
    expect(email.getAttribute("aria-invalid")).toBe("true");
    expect(focusedId()).toBe("link-email");
    email.value = "a@b.fr";
    expect(requireValue(page, email, "email", $("#link-error"))).toBe(true);
  });
});
