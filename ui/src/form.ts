// The details form: its values as plain strings, to and from `AccountDetails`; merging a
// reloaded account with what the user typed; where each field error goes.

import type { AccountDetails, FieldError, Language } from "./api";
import { fieldErrorLine, fieldErrorText } from "./messages";

/** The form's inputs, by `name`, in form order. */
export const FIELD_NAMES = [
  "email",
  "company_name",
  "contact_first_name",
  "contact_last_name",
  "phone",
  "siret",
  "street",
  "postal_code",
  "city",
  "country",
] as const;

export type FieldName = (typeof FIELD_NAMES)[number];

export type FormValues = Record<FieldName, string>;

export const REQUIRED_FIELDS: readonly FieldName[] = [
  "email",
  "company_name",
  "contact_first_name",
  "contact_last_name",
  "phone",
];

const ADDRESS_FIELDS = ["street", "postal_code", "city", "country"] as const;

export function isFieldName(name: string): name is FieldName {
  return (FIELD_NAMES as readonly string[]).includes(name);
}

export function emptyValues(): FormValues {
  return {
    email: "",
    company_name: "",
    contact_first_name: "",
    contact_last_name: "",
    phone: "",
    siret: "",
    street: "",
    postal_code: "",
    city: "",
    country: "",
  };
}

export function detailsToValues(details: AccountDetails): FormValues {
  const address = details.address ?? null;
  return {
    email: details.email,
    company_name: details.company_name,
    contact_first_name: details.contact_first_name,
    contact_last_name: details.contact_last_name,
    phone: details.phone,
    siret: details.siret ?? "",
    street: address?.street ?? "",
    postal_code: address?.postal_code ?? "",
    city: address?.city ?? "",
    country: address?.country ?? "",
  };
}

/**
 * What to send for these values. The service trims and normalises; a blank SIRET is
 * "none", and an address whose four fields are blank is "no address".
 */
export function valuesToDetails(values: FormValues, language: Language | null): AccountDetails {
  const blank = (s: string) => s.trim() === "";
  const details: AccountDetails = {
    email: values.email,
    company_name: values.company_name,
    contact_first_name: values.contact_first_name,
    contact_last_name: values.contact_last_name,
    phone: values.phone,
    siret: blank(values.siret) ? null : values.siret,
    address: ADDRESS_FIELDS.every((f) => blank(values[f]))
      ? null
      : {
          street: values.street,
          postal_code: values.postal_code,
          city: values.city,
          country: values.country,
        },
  };
  if (language !== null) {
    details.language = language;
  }
  return details;
}

/**
 * The values to show after the account was fetched again (Reload, Retry, a new prefill):
 * a field the user changed since the form was last loaded (`typed` differs from
 * `baseline`) keeps what the user typed; every other field takes the fresh value.
 */
export function mergeReloaded(baseline: FormValues, typed: FormValues, fresh: FormValues): FormValues {
  const merged = emptyValues();
  for (const name of FIELD_NAMES) {
    merged[name] = typed[name] !== baseline[name] ? typed[name] : fresh[name];
  }
  return merged;
}

/** The fields the user changed since the form was loaded. */
export function changedFields(baseline: FormValues, typed: FormValues): FieldName[] {
  return FIELD_NAMES.filter((name) => typed[name] !== baseline[name]);
}

/** The form input a service field key points at: "address.city" → "city". */
export function fieldNameForKey(key: string): FieldName | null {
  const name = key.startsWith("address.") ? key.slice("address.".length) : key;
  return isFieldName(name) ? name : null;
}

export interface PlacedErrors {
  /** The first error of each field the form has, in form order. */
  placed: Array<{ name: FieldName; error: FieldError }>;
  /** Errors about fields the form does not have (e.g. "language"). */
  unplaced: FieldError[];
}

/** Sorts field errors into those the form can show under an input, and the rest. */
export function placeFieldErrors(errors: readonly FieldError[]): PlacedErrors {
  const byName = new Map<FieldName, FieldError>();
  const unplaced: FieldError[] = [];
  for (const error of errors) {
    const name = fieldNameForKey(error.field);
    if (name === null) {
      unplaced.push(error);
    } else if (!byName.has(name)) {
      byName.set(name, error);
    }
  }
  const placed = FIELD_NAMES.flatMap((name) => {
    const error = byName.get(name);
    return error === undefined ? [] : [{ name, error }];
  });
  return { placed, unplaced };
}

/** Required fields left blank, checked before asking the service (which checks the rest). */
export function missingRequired(values: FormValues): FieldError[] {
  return REQUIRED_FIELDS.filter((name) => values[name].trim() === "").map((name) => ({
    field: name,
    code: "empty",
    message: "This field is required.",
  }));
}

// --- The DOM side: thin, so the rules above stay testable on their own. ---

type FieldElement = HTMLInputElement | HTMLTextAreaElement;

function fieldElement(form: HTMLFormElement, name: FieldName): FieldElement | null {
  const element = form.elements.namedItem(name);
  return element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement ? element : null;
}

export function readForm(form: HTMLFormElement): FormValues {
  const values = emptyValues();
  for (const name of FIELD_NAMES) {
    values[name] = fieldElement(form, name)?.value ?? "";
  }
  return values;
}

export function writeForm(form: HTMLFormElement, values: FormValues): void {
  for (const name of FIELD_NAMES) {
    const element = fieldElement(form, name);
    if (element !== null && element.value !== values[name]) {
      element.value = values[name];
    }
  }
}

/** The id of the element that shows `name`'s error: "error-siret", "account-error-siret". */
export function errorElementId(idPrefix: string, name: FieldName): string {
  return `${idPrefix}error-${name}`;
}

export function clearFieldErrors(form: HTMLFormElement, idPrefix: string): void {
  const doc = form.ownerDocument;
  for (const name of FIELD_NAMES) {
    fieldElement(form, name)?.removeAttribute("aria-invalid");
    const slot = doc.getElementById(errorElementId(idPrefix, name));
    if (slot !== null) {
      slot.textContent = "";
    }
  }
}

/**
 * Shows every error under its input (text in `#<prefix>error-<name>`, `aria-invalid` on
 * the input) and returns the errors it could not place, and the first invalid input in
 * form order (to move the focus there).
 */
export function showFieldErrors(
  form: HTMLFormElement,
  idPrefix: string,
  errors: readonly FieldError[],
  lang: Language,
): { first: FieldElement | null; unplaced: FieldError[] } {
  clearFieldErrors(form, idPrefix);
  const doc = form.ownerDocument;
  const { placed, unplaced } = placeFieldErrors(errors);
  let first: FieldElement | null = null;
  const lost: FieldError[] = [...unplaced];
  for (const { name, error } of placed) {
    const input = fieldElement(form, name);
    const slot = doc.getElementById(errorElementId(idPrefix, name));
    if (input === null || slot === null) {
      lost.push(error);
      continue;
    }
    input.setAttribute("aria-invalid", "true");
    slot.textContent = fieldErrorText(error, lang);
    first ??= input;
  }
  return { first, unplaced: lost };
}

/** Lines for errors shown at form level ("Langue : …"). */
export function unplacedText(errors: readonly FieldError[], lang: Language): string {
  return errors.map((e) => fieldErrorLine(e, lang)).join("\n");
}
