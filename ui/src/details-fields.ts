// The details fields, written once for both forms that have them (register, account):
// index.html holds a <template data-details-fields="…"> where each form's fields go, and
// this table says what each field is. Ids follow the end-to-end tests' hooks:
// "<form>-<name>" for the input, "<form>-hint-<name>" for its hint, and the error slot
// form.ts writes to ("error-<name>" in register, "account-error-<name>" in account).

import { errorElementId, type FieldName } from "./form";
import type { StaticKey } from "./i18n";

export type DetailsFormId = "register" | "account";

interface FieldSpec {
  name: FieldName;
  control: "email" | "text" | "tel" | "textarea";
  autocomplete: string;
  required?: true;
  /** "(optional)" after the label. */
  optional?: true;
  /** A hint between the label and the input, in these forms. */
  hint?: Partial<Record<DetailsFormId, StaticKey>>;
  /** Attributes of the input besides id, name, type, autocomplete and the aria ones. */
  attributes?: Record<string, string>;
  /** Part of the postal address (its own fieldset). */
  address?: true;
}

const CODE_LIKE = { spellcheck: "false" };

export const DETAILS_FIELDS: readonly FieldSpec[] = [
  { name: "email", control: "email", autocomplete: "email", required: true, hint: { register: "registerEmailHint" }, attributes: CODE_LIKE },
  { name: "company_name", control: "text", autocomplete: "organization", required: true, hint: { account: "companyHint" } },
  { name: "contact_first_name", control: "text", autocomplete: "given-name", required: true },
  { name: "contact_last_name", control: "text", autocomplete: "family-name", required: true },
  { name: "phone", control: "tel", autocomplete: "tel", required: true },
  {
    name: "siret",
    control: "text",
    autocomplete: "off",
    optional: true,
    hint: { register: "siretHint", account: "siretHint" },
    attributes: { inputmode: "numeric", ...CODE_LIKE },
  },
  {
    name: "street",
    control: "textarea",
    autocomplete: "street-address",
    hint: { register: "streetHint", account: "streetHint" },
    attributes: { rows: "2" },
    address: true,
  },
  { name: "postal_code", control: "text", autocomplete: "postal-code", attributes: CODE_LIKE, address: true },
  { name: "city", control: "text", autocomplete: "address-level2", address: true },
  {
    name: "country",
    control: "text",
    autocomplete: "country",
    hint: { register: "countryHint", account: "countryHint" },
    attributes: { autocapitalize: "characters", ...CODE_LIKE },
    address: true,
  },
];

/** The prefix of a form's error slots (form.ts's `idPrefix`). */
export function errorPrefix(form: DetailsFormId): string {
  return form === "register" ? "" : "account-";
}

/** Fills every `<template data-details-fields>` of the page with its form's fields (once). */
export function buildDetailsForms(doc: Document): void {
  for (const slot of doc.querySelectorAll<HTMLTemplateElement>("template[data-details-fields]")) {
    const form = slot.dataset["detailsFields"];
    if (form === "register" || form === "account") {
      slot.replaceWith(...detailsFields(doc, form, slot.content));
    }
  }
}

/** The fields of `form`: a grid, then the postal address. `extras` holds what goes into a
 * field's block (`data-in-field="<name>"`), e.g. the code panel under the account's e-mail. */
function detailsFields(doc: Document, form: DetailsFormId, extras: DocumentFragment): Node[] {
  const block = (spec: FieldSpec) => fieldBlock(doc, form, spec, extras);
  const grid = (specs: readonly FieldSpec[]) => {
    const element = doc.createElement("div");
    element.className = "grid";
    element.append(...specs.map(block));
    return element;
  };
  const address = doc.createElement("fieldset");
  address.className = "address";
  const legend = doc.createElement("legend");
  legend.dataset["i18n"] = "addressLegend" satisfies StaticKey;
  address.append(legend, grid(DETAILS_FIELDS.filter((f) => f.address)));
  return [grid(DETAILS_FIELDS.filter((f) => !f.address)), address];
}

function fieldBlock(doc: Document, form: DetailsFormId, spec: FieldSpec, extras: DocumentFragment): HTMLElement {
  const inputId = `${form}-${spec.name}`;
  const block = doc.createElement("div");
  block.className = `field field-${spec.name.replaceAll("_", "-")}`;

  const label = doc.createElement("label");
  label.htmlFor = inputId;
  const words = doc.createElement("span");
  words.dataset["fieldLabel"] = spec.name;
  label.append(words);
  if (spec.optional) {
    const optional = doc.createElement("span");
    optional.className = "optional";
    optional.dataset["i18n"] = "optional" satisfies StaticKey;
    label.append(" ", optional);
  }
  block.append(label);

  const describedBy: string[] = [];
  const hintKey = spec.hint?.[form];
  if (hintKey !== undefined) {
    const hint = doc.createElement("p");
    hint.id = `${form}-hint-${spec.name}`;
    hint.className = "hint";
    hint.dataset["i18n"] = hintKey;
    block.append(hint);
    describedBy.push(hint.id);
  }

  const input = doc.createElement(spec.control === "textarea" ? "textarea" : "input");
  input.id = inputId;
  input.setAttribute("name", spec.name);
  if (input instanceof HTMLInputElement) {
    input.type = spec.control;
  }
  input.setAttribute("autocomplete", spec.autocomplete);
  for (const [attribute, value] of Object.entries(spec.attributes ?? {})) {
    input.setAttribute(attribute, value);
  }
  if (spec.required) {
    input.setAttribute("aria-required", "true");
  }
  const error = doc.createElement("p");
  error.id = errorElementId(errorPrefix(form), spec.name);
  error.className = "field-error";
  describedBy.push(error.id);

  const extra = [...extras.querySelectorAll<HTMLElement>(`[data-in-field="${spec.name}"]`)];
  for (const element of extra) {
    // What the extra says describes the input too (the new address waiting for its code).
    const said = element.dataset["describes"];
    if (said !== undefined) {
      describedBy.push(said);
    }
  }
  input.setAttribute("aria-describedby", describedBy.join(" "));
  block.append(input, error, ...extra);
  return block;
}
