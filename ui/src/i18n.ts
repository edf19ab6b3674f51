export type Lang = "en" | "fr";

export interface Messages {
  title: string;
  serviceHeading: string;
  urlLabel: string;
  checking: string;
  reachable: string;
  unreachable: string;
  retry: string;
  unknownUrl: string;
}

const MESSAGES: Record<Lang, Messages> = {
  en: {
    title: "Customer account",
    serviceHeading: "Account service",
    urlLabel: "Address",
    checking: "Checking…",
    reachable: "Service reachable",
    unreachable: "Service unreachable",
    retry: "Retry",
    unknownUrl: "unknown",
  },
  fr: {
    title: "Compte client",
    serviceHeading: "Service des comptes",
    urlLabel: "Adresse",
    checking: "Vérification…",
    reachable: "Service joignable",
    unreachable: "Service injoignable",
    retry: "Réessayer",
    unknownUrl: "inconnue",
  },
};

/** French for any `fr` language tag (fr, fr-FR, fr-CA…), English otherwise. */
export function pickLang(tag: string | undefined): Lang {
  return tag?.toLowerCase().split("-")[0] === "fr" ? "fr" : "en";
}

export function messages(lang: Lang): Messages {
  return MESSAGES[lang];
}
