// @vitest-environment jsdom
// Adding several computers: the enrollment key made, shown once, listed and revoked.

import { describe, expect, it, vi } from "vitest";
import { KEY_FILE_COMMAND, KEY_FILE_INSTALLER } from "../../src/enrollment";
import { codeText } from "../../src/messages";
import {
  $,
  account,
  click,
  enrollmentKey,
  failure,
  FakeBackend,
  focusedId,
  keyCreated,
  NEW_KEY,
  openAccount,
  settle,
  submit,
  text,
  type,
  value,
} from "../fixtures";

const keys = [
  enrollmentKey(),
  enrollmentKey({ id: 8, label: "Agence de Lyon", status: "used_up", uses_left: 0, uses_allowed: 2, uses: [] }),
  enrollmentKey({ id: 9, label: "Ancienne", status: "revoked" }),
  enrollmentKey({ id: 10, label: "Stagiaires", status: "expired", uses_left: 5, uses: [] }),
];

function withKeys(list = keys): FakeBackend {
  const backend = new FakeBackend();
  backend.defaults.set("enrollment_keys", list);
  return backend;
}

async function shown(backend = withKeys()) {
  const opened = openAccount(undefined, backend);
  await vi.waitFor(() => expect(backend.callsOf("enrollment_keys").length).toBe(1));
  await settle();
  return opened;
}

function items(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>("#enrollment-keys li[data-key-id]")];
}

/** Opens the form, fills it, submits it and types the password in the dialog. */
async function createWith(label: string, uses = "10", days = "7", password = "ABCDE-FGHJK-MNPQR"): Promise<void> {
  await click("#add-computers");
  type("#key-label", label);
  type("#key-uses", uses);
  type("#key-days", days);
  await submit("#key-form");
  type("#dialog-password", password);
  await submit("#password-dialog-form");
}

describe("the enrollment keys list", () => {
  it("is fetched when the account shows: status in words, uses left, expiry, computers linked", async () => {
    await shown();
    expect(items().map((li) => li.dataset["keyId"])).toEqual(["7", "8", "9", "10"]);
    const [active, usedUp, revoked, expired] = items();
    expect(active?.textContent).toContain("Salle de formation — Active");
    expect(active?.textContent).toContain("8 utilisations restantes sur 10 · expire le 27 novembre 2025 à 10:00");
    expect(active?.textContent).toContain("Ordinateurs liés avec cette clé : FORMATION-01, FORMATION-02");
    expect(usedUp?.textContent).toContain("Agence de Lyon — Épuisée");
    expect(usedUp?.textContent).toContain("Aucun ordinateur lié avec cette clé pour l'instant.");
    expect(revoked?.textContent).toContain("Révoquée");
    expect(expired?.textContent).toContain("Expirée");
    expect(expired?.textContent).toContain("a expiré le 27 novembre 2025");
    // Revoke only where the key still works.
    expect(items().map((li) => li.querySelector("button.revoke-key") !== null)).toEqual([true, false, false, false]);
    expect($("#no-enrollment-keys").hidden).toBe(true);
  });

  it("is drawn again in English", async () => {
    const { page } = await shown();
    page.setLanguage("en");
    const [active, usedUp] = items();
    expect(active?.textContent).toContain("Salle de formation — Active");
    expect(active?.textContent).toContain("8 of 10 uses left · expires 27 November 2025 at 10:00");
    expect(active?.textContent).toContain("Computers linked with this key: FORMATION-01, FORMATION-02");
    expect(usedUp?.textContent).toContain("Agence de Lyon — Used up");
    expect(active?.querySelector("button.revoke-key")?.getAttribute("aria-label")).toBe(
      "Revoke the key Salle de formation",
    );
  });

  it("says when there is none, and why it failed to come", async () => {
    const backend = withKeys([]);
    await shown(backend);
    expect(text("#no-enrollment-keys")).toBe("Aucune clé d'enrôlement.");
    expect($("#no-enrollment-keys").hidden).toBe(false);

    const failing = new FakeBackend();
    failing.next("enrollment_keys", failure("service_unreachable"));
    openAccount(undefined, failing);
    await vi.waitFor(() => expect(text("#enrollment-keys-error")).toBe(codeText("service_unreachable", "fr")));
  });

  it("offline: not fetched, said so, nothing can be added", () => {
    const backend = withKeys();
    openAccount({ state: "offline", account: account(), fetched_at: "2025-11-20T09:04:00Z" }, backend);
    expect(backend.callsOf("enrollment_keys")).toEqual([]);
    expect(text("#no-enrollment-keys")).toContain("n'est pas disponible");
    expect(($("#add-computers") as HTMLButtonElement).disabled).toBe(true);
    expect(($("#unlink-stale") as HTMLButtonElement).disabled).toBe(true);
  });

  it("Revoke asks to confirm first, then revokes, fetches the list again and says so", async () => {
    const backend = withKeys();
    await shown(backend);
    const revoke = '#enrollment-keys li[data-key-id="7"] button.revoke-key';
    await click(revoke);
    expect(backend.callsOf("revoke_enrollment_key")).toEqual([]);
    expect(text(revoke)).toBe("Confirmer la révocation");
    backend.next("enrollment_keys", [enrollmentKey({ status: "revoked" }), ...keys.slice(1)]);
    await click(revoke);
    expect(backend.callsOf("revoke_enrollment_key")).toEqual([{ key_id: 7 }]);
    expect(backend.callsOf("enrollment_keys").length).toBe(2);
    expect(text("#notice")).toBe(
      "La clé d'enrôlement « Salle de formation » est révoquée : elle ne lie plus aucun ordinateur.",
    );
    expect(document.querySelector("#enrollment-keys button.revoke-key")).toBeNull();
    expect(items()[0]?.textContent).toContain("Révoquée");
  });

  it("a key no longer in force: says so and fetches the list again", async () => {
    const backend = withKeys();
    await shown(backend);
    const revoke = '#enrollment-keys li[data-key-id="7"] button.revoke-key';
    await click(revoke);
    backend.next("revoke_enrollment_key", failure("enrollment_key_not_found"));
    await click(revoke);
    expect(text("#notice")).toBe(codeText("enrollment_key_not_found", "fr"));
    expect(backend.callsOf("enrollment_keys").length).toBe(2);
  });
});

describe("adding several computers", () => {
  it("opens a form with 10 computers for 7 days", async () => {
    await shown();
    expect($("#key-form").hidden).toBe(true);
    await click("#add-computers");
    expect($("#key-form").hidden).toBe(false);
    expect(value("#key-label")).toBe("");
    expect(value("#key-uses")).toBe("10");
    expect(value("#key-days")).toBe("7");
    expect(focusedId()).toBe("key-label");
    expect(text('label[for="key-uses"]')).toBe("Nombre d'ordinateurs (1 à 500)");
  });

  it("shows each wrong field beside it, in the language on show, and asks nothing", async () => {
    const { backend, page } = await shown();
    await click("#add-computers");
    type("#key-uses", "501");
    type("#key-days", "0");
    await submit("#key-form");
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(text("#key-label-error")).toBe("Ce champ est obligatoire.");
    expect(text("#key-uses-error")).toBe("Ce nombre est en dehors des valeurs permises.");
    expect(text("#key-days-error")).toBe("Ce nombre est en dehors des valeurs permises.");
    expect($("#key-label").getAttribute("aria-invalid")).toBe("true");
    expect(focusedId()).toBe("key-label");
    page.setLanguage("en");
    expect(text("#key-label-error")).toBe("This field is required.");
    expect(text("#key-days-error")).toBe("This number is outside the allowed range.");
    type("#key-label", "x".repeat(61));
    await submit("#key-form");
    expect(text("#key-label-error")).toBe("This value is too long.");
    expect(backend.callsOf("create_enrollment_key")).toEqual([]);
  });

  it("the service's refusals go beside the fields too", async () => {
    const { backend } = await shown();
    backend.next(
      "create_enrollment_key",
      failure("invalid_fields", { fields: [{ field: "valid_days", code: "out_of_range", message: "" }] }),
    );
    await createWith("Salle de formation");
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect(text("#key-days-error")).toBe("Ce nombre est en dehors des valeurs permises.");
    expect(focusedId()).toBe("key-days");
    expect($("#new-key").hidden).toBe(true);
  });

  it("a wrong password keeps the dialog", async () => {
    const { backend } = await shown();
    backend.next("create_enrollment_key", failure("invalid_credentials"));
    await createWith("Salle de formation", "10", "7", "WRONG");
    expect($("#password-dialog").hasAttribute("open")).toBe(true);
    expect(text("#dialog-error")).toBe("Mot de passe incorrect.");
  });

  it("the password dialog says what will happen; the key is then shown once, with how to use it", async () => {
    const backend = withKeys();
    await shown(backend);
    await click("#add-computers");
    type("#key-label", "Salle de formation");
    type("#key-uses", "25");
    type("#key-days", "30");
    await submit("#key-form");
    expect(text("#password-dialog-title")).toBe("Créer une clé d'enrôlement");
    expect(text("#password-dialog-text")).toBe(
      "La clé « Salle de formation » liera jusqu'à 25 ordinateurs pendant 30 jours. Saisissez le mot de passe du compte.",
    );
    expect(text("#dialog-submit")).toBe("Créer la clé");
    backend.next("create_enrollment_key", keyCreated({ uses_allowed: 25, expires_at: "2025-12-20T10:00:00Z" }));
    type("#dialog-password", "ABCDE-FGHJK-MNPQR");
    await submit("#password-dialog-form");

    expect(backend.callsOf("create_enrollment_key")).toEqual([
      { password: "ABCDE-FGHJK-MNPQR", label: "Salle de formation", uses: 25, valid_days: 30 },
    ]);
    expect($("#password-dialog").hasAttribute("open")).toBe(false);
    expect($("#key-form").hidden).toBe(true);
    expect($("#new-key").hidden).toBe(false);
    expect(text("#new-key-value")).toBe(NEW_KEY);
    expect(text("#new-key-command")).toBe(KEY_FILE_COMMAND);
    expect(text("#new-key-command")).toBe("customer-account link --enrollment-key-file key.txt");
    expect(text("#new-key-installer")).toBe("/S /ENROLLMENTKEYFILE=key.txt");
    expect(text("#new-key-installer")).toBe(KEY_FILE_INSTALLER);
    expect(text("#new-key")).toContain("elle ne sera plus jamais affichée");
    expect(text("#new-key-about")).toBe(
      "« Salle de formation » — jusqu'à 25 ordinateurs, valable jusqu'au 20 décembre 2025 à 10:00.",
    );
    expect(text("#notice")).toBe("Clé d'enrôlement « Salle de formation » créée.");
    expect(focusedId()).toBe("new-key");
    // The list is fetched again.
    expect(backend.callsOf("enrollment_keys").length).toBe(2);

    await click("#new-key-copy");
    expect(backend.callsOf("copy")).toEqual([{ text: NEW_KEY }]);
    expect(text("#notice")).toBe("Clé d'enrôlement copiée.");

    await click("#new-key-close");
    expect($("#new-key").hidden).toBe(true);
    expect(document.body.innerHTML).not.toContain(NEW_KEY);
    expect(focusedId()).toBe("add-computers");
  });

  it("keeps the key through a change of language, and drops it with the account", async () => {
    const { page, screen } = await shown();
    await createWith("Salle de formation");
    page.setLanguage("en");
    expect(text("#new-key-value")).toBe(NEW_KEY);
    expect(text("#new-key-about")).toBe("“Salle de formation” — up to 10 computers, valid until 27 November 2025 at 10:00.");
    expect(text("#new-key")).toContain("it will never be shown again");
    screen.applyStatus({ state: "linked", account: account({ customer_id: "1000090" }) });
    expect($("#new-key").hidden).toBe(true);
    expect(document.body.innerHTML).not.toContain(NEW_KEY);
  });

  it("is gone when this computer is no longer linked", async () => {
    const { screen } = await shown();
    await createWith("Salle de formation");
    screen.applyStatus({ state: "not_linked" });
    expect(document.body.innerHTML).not.toContain(NEW_KEY);
  });

  it("a failed copy selects the key and never logs it", async () => {
    const { backend } = await shown();
    await createWith("Salle de formation");
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    backend.next("copy", failure("unexpected", { message: `clipboard refused ${NEW_KEY}` }));
    await click("#new-key-copy");
    expect(text("#notice")).toBe("Impossible de copier : sélectionnez la clé, puis appuyez sur Ctrl+C.");
    expect(JSON.stringify(logged.mock.calls)).not.toContain(NEW_KEY);
    logged.mockRestore();
  });
});
