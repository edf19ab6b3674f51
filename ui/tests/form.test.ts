import { describe, expect, it } from "vitest";
import {
  changedFields,
  detailsToValues,
  emptyValues,
  fieldNameForKey,
  type FormValues,
  mergeReloaded,
  missingRequired,
  placeFieldErrors,
  valuesToDetails,
} from "../src/form";
import { details } from "./fixtures";

describe("values and details", () => {
  it("turns details into form values and back", () => {
    const d = details();
    const values = detailsToValues(d);
    expect(values.street).toBe("12 rue des Lilas");
    expect(values.postal_code).toBe("75011");
    expect(valuesToDetails(values, "fr")).toEqual(d);
  });

  it("sends a blank SIRET and a blank address as none", () => {
    const values = detailsToValues(details());
    values.siret = "  ";
    values.street = "";
    values.postal_code = " ";
    values.city = "";
    values.country = "";
    const sent = valuesToDetails(values, null);
    expect(sent.siret).toBeNull();
    expect(sent.address).toBeNull();
    expect("language" in sent).toBe(false);
  });

  it("sends a partly filled address as typed, for the service to point at what is missing", () => {
    const values = emptyValues();
    values.city = "Lyon";
    expect(valuesToDetails(values, "en").address).toEqual({ street: "", postal_code: "", city: "Lyon", country: "" });
  });

  it("reads missing optional details as blank", () => {
    const values = detailsToValues(details({ siret: null, address: null }));
    expect(values.siret).toBe("");
    expect(values.street).toBe("");
    expect(values.country).toBe("");
  });
});

describe("mergeReloaded (Reload keeps what the user typed)", () => {
  const baseline: FormValues = detailsToValues(details());

  it("keeps typed fields and takes the fresh value of untouched ones", () => {
    const typed = { ...baseline, phone: "06 11 22 33 44", city: "Paris 11e" };
    const fresh = detailsToValues(
      details({
        company_name: "Dupont & Fils SARL",
        phone: "01 99 99 99 99",
        address: { street: "12 rue des Lilas", postal_code: "75011", city: "PARIS", country: "FR" },
      }),
    );
    const merged = mergeReloaded(baseline, typed, fresh);
    expect(merged.phone).toBe("06 11 22 33 44");
    expect(merged.city).toBe("Paris 11e");
    expect(merged.company_name).toBe("Dupont & Fils SARL");
    expect(merged.email).toBe(baseline.email);
    expect(changedFields(baseline, typed)).toEqual(["phone", "city"]);
  });

  it("keeps a field the user emptied", () => {
    const typed = { ...baseline, siret: "" };
    const fresh = { ...baseline, siret: "55210055400013" };
    expect(mergeReloaded(baseline, typed, fresh).siret).toBe("");
  });

  it("takes everything fresh when nothing was typed", () => {
    const fresh = detailsToValues(details({ email: "new@dupont-sarl.fr" }));
    expect(mergeReloaded(baseline, { ...baseline }, fresh)).toEqual(fresh);
  });
});

describe("field errors", () => {
  it("maps the service's keys to the form's inputs", () => {
    expect(fieldNameForKey("siret")).toBe("siret");
    expect(fieldNameForKey("address.street")).toBe("street");
    expect(fieldNameForKey("address.postal_code")).toBe("postal_code");
    expect(fieldNameForKey("address.city")).toBe("city");
    expect(fieldNameForKey("address.country")).toBe("country");
    expect(fieldNameForKey("language")).toBeNull();
    expect(fieldNameForKey("address")).toBeNull();
  });

  it("places errors in form order, one per field, and keeps the rest for the form", () => {
    const { placed, unplaced } = placeFieldErrors([
      { field: "address.postal_code", code: "invalid_postal_code", message: "" },
      { field: "email", code: "invalid_email", message: "" },
      { field: "language", code: "invalid_language", message: "" },
      { field: "email", code: "too_long", message: "" },
    ]);
    expect(placed.map((p) => [p.name, p.error.code])).toEqual([
      ["email", "invalid_email"],
      ["postal_code", "invalid_postal_code"],
    ]);
    expect(unplaced.map((e) => e.field)).toEqual(["language"]);
  });

  it("finds required fields left blank", () => {
    const values = detailsToValues(details());
    values.company_name = "  ";
    values.phone = "";
    values.siret = "";
    expect(missingRequired(values).map((e) => [e.field, e.code])).toEqual([
      ["company_name", "empty"],
      ["phone", "empty"],
    ]);
  });
});
