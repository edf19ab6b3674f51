import { describe, expect, it } from "vitest";
import {
  initialLanguage,
  isStaticKey,
  LANGUAGE_STORAGE_KEY,
  languageAfterHostContext,
  pickLang,
  storedLanguage,
  storeLanguage,
  texts,
} from "../src/i18n";

class MemoryStorage {
  map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
}

describe("the page's words", () => {
  it("has every text in both languages", () => {
    const fr = texts("fr");
    const en = texts("en");
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(fr) as Array<keyof typeof fr>) {
      const f = fr[key];
      const e = en[key];
      const sample = (v: typeof f) => (typeof v === "string" ? v : (v as (...a: string[]) => string)("X", "Y", "Z"));
      expect(sample(f).trim(), key).not.toBe("");
      expect(sample(e).trim(), key).not.toBe("");
    }
    expect(isStaticKey("goRegister")).toBe(true);
    expect(isStaticKey("sentText")).toBe(false);
    expect(isStaticKey("toString")).toBe(false);
  });

  it("writes French with a space before : ; ? and !", () => {
    const fr = texts("fr");
    for (const key of Object.keys(fr) as Array<keyof typeof fr>) {
      const v = fr[key];
      const sample = typeof v === "string" ? v : (v as (...a: string[]) => string)("X", "Y", "Z");
      expect(sample, key).not.toMatch(/[^\s\u00a0][:;?!]/);
    }
  });

  it("says the contract's sentences", () => {
    expect(texts("fr").goRegister).toBe("Créer le compte client de mon entreprise");
    expect(texts("en").goRegister).toBe("Create my company's customer account");
    expect(texts("en").goLink).toBe("My company already has one — link this computer");
    expect(texts("fr").copied).toBe("Copié");
    expect(texts("fr").saved).toBe("Enregistré.");
    expect(texts("en").sentText("a@b.fr")).toBe("Enter the password we e-mailed to a@b.fr.");
    expect(texts("fr").addComputers).toBe("Ajouter plusieurs ordinateurs");
    expect(texts("en").addComputers).toBe("Add several computers");
    expect(texts("fr").staleSubmit(1)).toBe("Délier 1 ordinateur");
    expect(texts("en").staleSubmit(3)).toBe("Unlink 3 computers");
    expect(texts("fr").keyUsesLeft(1, 10)).toBe("1 utilisation restante sur 10");
    expect(texts("en").keyUsesLeft(1, 1)).toBe("1 of 1 use left");
    expect(texts("fr").offlineText("22 novembre 2025 à 10:04")).toMatch(/^Service injoignable — données du 22 novembre/);
  });
});

describe("the language choice", () => {
  it("reads French from any fr tag, English otherwise", () => {
    expect(pickLang("fr")).toBe("fr");
    expect(pickLang("fr-CA")).toBe("fr");
    expect(pickLang("FR_be")).toBe("fr");
    expect(pickLang("en-GB")).toBe("en");
    expect(pickLang("de")).toBe("en");
    expect(pickLang(undefined)).toBe("en");
  });

  it("prefers the user's choice, then the host's language, then the system's", () => {
    expect(initialLanguage("en", "fr", "fr-FR")).toBe("en");
    expect(initialLanguage(null, "fr", "en-US")).toBe("fr");
    expect(initialLanguage(null, "xx", "fr-FR")).toBe("fr");
    expect(initialLanguage(null, null, "en-US")).toBe("en");
  });

  it("remembers and forgets the choice in storage", () => {
    const storage = new MemoryStorage();
    expect(storedLanguage(storage)).toBeNull();
    storeLanguage(storage, "en");
    expect(storage.getItem(LANGUAGE_STORAGE_KEY)).toBe("en");
    expect(storedLanguage(storage)).toBe("en");
    storeLanguage(storage, null);
    expect(storedLanguage(storage)).toBeNull();
    storage.setItem(LANGUAGE_STORAGE_KEY, "de");
    expect(storedLanguage(storage)).toBeNull();
    expect(storedLanguage(null)).toBeNull();
  });

  it("survives a storage that throws", () => {
    const broken = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
      removeItem: () => {
        throw new Error("denied");
      },
    };
    expect(storedLanguage(broken)).toBeNull();
    expect(() => storeLanguage(broken, "fr")).not.toThrow();
  });

  it("follows the host only when the host's language changed", () => {
    expect(languageAfterHostContext("en", "fr", "fr")).toEqual({ lang: "en", forgetChoice: false });
    expect(languageAfterHostContext("fr", "fr", "en")).toEqual({ lang: "en", forgetChoice: true });
    expect(languageAfterHostContext("en", null, "fr")).toEqual({ lang: "fr", forgetChoice: true });
    expect(languageAfterHostContext("fr", "fr", "xx")).toEqual({ lang: "fr", forgetChoice: false });
  });
});
