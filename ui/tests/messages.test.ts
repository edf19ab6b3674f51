import { describe, expect, it } from "vitest";
import {
  ALL_CODES,
  codeText,
  COMMAND_CODES,
  errorText,
  FIELD_CODES,
  fieldErrorLine,
  fieldLabel,
  LABELLED_FIELDS,
  rateLimitedText,
  SERVICE_CODES,
} from "../src/messages";
import { FIELD_NAMES } from "../src/form";
import { failure } from "./fixtures";

// The codes the contract names: the catalogue must have words for each of them.
const CONTRACT_COMMAND_CODES = [
  "service_unreachable", "rate_limited", "invalid_credentials", "changed_elsewhere",
  "machine_linked_elsewhere", "invalid_fields", "not_linked", "email_unavailable",
  "machine_not_found", "email_code_invalid", "enrollment_key_invalid", "enrollment_key_expired",
  "enrollment_key_used_up", "enrollment_key_revoked", "enrollment_key_not_found",
  "credential_store_unavailable", "service_error", "unexpected",
];
const CONTRACT_FIELD_CODES = [
  "empty", "too_long", "control_characters", "invalid_email", "invalid_phone", "invalid_siret",
  "siret_check_digit", "invalid_postal_code", "invalid_country", "invalid_language",
  "invalid_customer_id", "customer_id_check_digit", "out_of_range",
];
const CONTRACT_SERVICE_CODES = [
  "invalid_json", "invalid_query", "unsupported_media_type", "payload_too_large", "invalid_machine", "not_found",
  "method_not_allowed", "timeout", "service_unavailable",
];

describe("the error catalogue", () => {
  it("lists every code of the contract, once", () => {
    expect([...COMMAND_CODES].sort()).toEqual([...CONTRACT_COMMAND_CODES].sort());
    expect([...FIELD_CODES].sort()).toEqual([...CONTRACT_FIELD_CODES].sort());
    expect([...SERVICE_CODES].sort()).toEqual([...CONTRACT_SERVICE_CODES].sort());
    expect(new Set(ALL_CODES).size).toBe(ALL_CODES.length);
    expect(ALL_CODES.length).toBe(40);
  });

  it.each(ALL_CODES)("has French and English words for %s", (code) => {
    const fr = codeText(code, "fr");
    const en = codeText(code, "en");
    expect(fr.trim()).not.toBe("");
    expect(en.trim()).not.toBe("");
    expect(fr).not.toBe(en);
    // Neither falls back to the text of `unexpected`, except `unexpected` itself.
    if (code !== "unexpected") {
      expect(fr).not.toBe(codeText("unexpected", "fr"));
      expect(en).not.toBe(codeText("unexpected", "en"));
    }
    // French typography: a space before the colon and semicolon.
    expect(fr).not.toMatch(/\S[:;]/);
  });

  it("reads an unknown code as unexpected", () => {
    expect(codeText("no_such_code", "fr")).toBe(codeText("unexpected", "fr"));
    expect(errorText(failure("no_such_code"), "en")).toBe(codeText("unexpected", "en"));
  });

  it("says how long to wait when rate limited", () => {
    expect(errorText(failure("rate_limited", { retry_after_seconds: 180 }), "fr")).toBe(
      "Trop de tentatives. Réessayez dans 3 minutes.",
    );
    expect(errorText(failure("rate_limited", { retry_after_seconds: 170 }), "en")).toBe(
      "Too many attempts. Try again in 3 minutes.",
    );
    expect(rateLimitedText(45, "fr")).toBe("Trop de tentatives. Réessayez dans 45 secondes.");
    expect(rateLimitedText(60, "fr")).toBe("Trop de tentatives. Réessayez dans 1 minute.");
    expect(rateLimitedText(5400, "en")).toBe("Too many attempts. Try again in 1 h 30 min.");
    expect(rateLimitedText(undefined, "fr")).toBe(codeText("rate_limited", "fr"));
  });

  it("uses the service's own code behind a service_error when the app passes it on", () => {
    expect(errorText(failure("service_error", { service_code: "timeout" }), "fr")).toBe(codeText("timeout", "fr"));
    expect(errorText(failure("service_error"), "fr")).toBe(codeText("service_error", "fr"));
    expect(errorText(failure("service_unavailable"), "en")).toBe(codeText("service_unavailable", "en"));
  });
});

describe("field labels", () => {
  it.each([...FIELD_NAMES, "password", "code", "language"])("has French and English labels for %s", (name) => {
    expect(LABELLED_FIELDS).toContain(name);
    expect(fieldLabel(name, "fr")).not.toBe(name);
    expect(fieldLabel(name, "en")).not.toBe(name);
  });

  it("uses the contract's French words", () => {
    expect(fieldLabel("email", "fr")).toBe("Adresse e-mail");
    expect(fieldLabel("company_name", "fr")).toBe("Raison sociale");
    expect(fieldLabel("contact_first_name", "fr")).toBe("Prénom");
    expect(fieldLabel("contact_last_name", "fr")).toBe("Nom");
    expect(fieldLabel("phone", "fr")).toBe("Téléphone");
    expect(fieldLabel("siret", "fr")).toBe("SIRET");
    expect(fieldLabel("password", "fr")).toBe("Mot de passe");
  });

  it("names the service's dotted address keys like the form's inputs", () => {
    expect(fieldLabel("address.street", "fr")).toBe("Adresse");
    expect(fieldLabel("address.postal_code", "fr")).toBe("Code postal");
    expect(fieldLabel("address.city", "en")).toBe("City");
    expect(fieldLabel("address.country", "fr")).toBe("Pays");
    expect(fieldLabel("mystery", "fr")).toBe("mystery");
  });

  it("writes a form-level line per language", () => {
    expect(fieldErrorLine({ field: "language", code: "invalid_language" }, "fr")).toBe(
      "Langue : Langue non prise en charge (français ou anglais).",
    );
    expect(fieldErrorLine({ field: "address.postal_code", code: "invalid_postal_code" }, "en")).toBe(
      "Postal code: Invalid postal code (5 digits in France).",
    );
  });
});
