// The error catalogue: every code a command can fail with, every field code, and the
// service's general codes, in French and English. The page shows these texts, never the
// English `message` of an error (that one is for logs).

import type { CommandError, FieldError, Language } from "./api";
import { formatWait } from "./format";
// The codes, the field codes' words and the fields' names are the Rust ones
// (crates/account-client, crates/account-api), generated: edit them there.
import {
  COMMAND_CODES,
  FIELD_CODE_TEXTS,
  FIELD_CODES,
  FIELD_LABELS,
  type FieldCode,
  SERVICE_CODES,
} from "./generated/messages";

export { COMMAND_CODES, FIELD_CODES, type FieldCode, SERVICE_CODES };

export type CommandCode = (typeof COMMAND_CODES)[number];
export type ServiceCode = (typeof SERVICE_CODES)[number];
export type Code = CommandCode | FieldCode | ServiceCode;

/** Every code the page has words for. */
export const ALL_CODES: readonly Code[] = [...COMMAND_CODES, ...FIELD_CODES, ...SERVICE_CODES];

type Bilingual = Readonly<Record<Language, string>>;

const TEXTS: Readonly<Record<Code, Bilingual>> = {
  // What a command failed with.
  service_unreachable: {
    fr: "Le service des comptes clients ne répond pas. Vérifiez la connexion Internet, puis réessayez.",
    en: "The customer account service does not answer. Check the Internet connection, then try again.",
  },
  rate_limited: {
    fr: "Trop de tentatives. Réessayez dans quelques minutes.",
    en: "Too many attempts. Try again in a few minutes.",
  },
  invalid_credentials: {
    fr: "Adresse e-mail ou mot de passe incorrect.",
    en: "Wrong e-mail address or password.",
  },
  changed_elsewhere: {
    fr: "Le compte a été modifié depuis un autre ordinateur. Rechargez-le : ce que vous avez saisi est conservé.",
    en: "The account was changed from another computer. Reload it: what you typed is kept.",
  },
  machine_linked_elsewhere: {
    fr: "Cet ordinateur est lié à un autre compte client. Vous pouvez le transférer vers ce compte : il sera délié de l'autre compte, et les deux comptes en seront informés par e-mail.",
    en: "This computer is linked to another customer account. You can move it to this account: it will be unlinked from the other account, and both accounts will be told by e-mail.",
  },
  enrollment_key_invalid: {
    fr: "Clé d'enrôlement incorrecte. Vérifiez-la (copiez-la telle qu'elle a été affichée à sa création), ou créez-en une nouvelle depuis la section « Ordinateurs » d'un ordinateur lié.",
    en: "Wrong enrollment key. Check it (copy it exactly as shown when it was created), or create a new one from the \"Computers\" section of a linked computer.",
  },
  enrollment_key_expired: {
    fr: "Cette clé d'enrôlement a expiré. Créez-en une nouvelle depuis la section « Ordinateurs » d'un ordinateur lié.",
    en: "This enrollment key has expired. Create a new one from the \"Computers\" section of a linked computer.",
  },
  enrollment_key_used_up: {
    fr: "Toutes les utilisations de cette clé d'enrôlement ont été consommées. Créez une nouvelle clé pour les ordinateurs restants.",
    en: "Every use of this enrollment key has been taken. Create a new key for the remaining computers.",
  },
  enrollment_key_revoked: {
    fr: "Cette clé d'enrôlement a été révoquée. Demandez une nouvelle clé à l'administrateur du compte.",
    en: "This enrollment key was revoked. Ask the account's administrator for a new key.",
  },
  enrollment_key_not_found: {
    fr: "Cette clé d'enrôlement n'existe pas ou n'est plus en vigueur. La liste des clés a été mise à jour.",
    en: "No such enrollment key, or it is no longer in force. The list of keys was updated.",
  },
  invalid_fields: {
    fr: "Certains champs sont à corriger.",
    en: "Some fields need correcting.",
  },
  not_linked: {
    fr: "Cet ordinateur n'est plus lié à un compte client.",
    en: "This computer is no longer linked to a customer account.",
  },
  email_unavailable: {
    fr: "Cette adresse e-mail ne peut pas être utilisée pour ce compte.",
    en: "This e-mail address cannot be used for this account.",
  },
  machine_not_found: {
    fr: "Cet ordinateur ne fait plus partie des ordinateurs liés au compte.",
    en: "This computer is no longer among the account's linked computers.",
  },
  email_code_invalid: {
    fr: "Ce code est incorrect ou a expiré. Vérifiez-le dans le dernier e-mail reçu à la nouvelle adresse.",
    en: "This code is wrong or has expired. Check it in the latest e-mail received at the new address.",
  },
  credential_store_unavailable: {
    fr: "Le gestionnaire d'identifiants de cet ordinateur n'est pas disponible : le lien avec le compte client ne peut pas être conservé. Contactez votre administrateur.",
    en: "This computer's credential manager is not available: the link with the customer account cannot be kept. Contact your administrator.",
  },
  service_error: {
    fr: "Le service des comptes clients a répondu par une erreur inattendue. Réessayez plus tard.",
    en: "The customer account service answered with an unexpected error. Try again later.",
  },
  unexpected: {
    fr: "Une erreur inattendue s'est produite. Réessayez ; si elle se reproduit, contactez l'assistance.",
    en: "An unexpected error occurred. Try again; if it happens again, contact support.",
  },

  // Why a field was refused.
  ...FIELD_CODE_TEXTS,

  // The service's general answers.
  invalid_json: {
    fr: "Le service n'a pas compris la demande. Mettez le programme à jour, puis réessayez.",
    en: "The service did not understand the request. Update the program, then try again.",
  },
  invalid_query: {
    fr: "Le service n'a pas compris les paramètres de la demande. Mettez le programme à jour, puis réessayez.",
    en: "The service did not understand the request's parameters. Update the program, then try again.",
  },
  unsupported_media_type: {
    fr: "Le service n'accepte pas le format de la demande. Mettez le programme à jour, puis réessayez.",
    en: "The service does not accept the request's format. Update the program, then try again.",
  },
  payload_too_large: {
    fr: "Les données envoyées sont trop volumineuses. Raccourcissez les champs les plus longs.",
    en: "The data sent is too large. Shorten the longest fields.",
  },
  invalid_machine: {
    fr: "Le service a refusé la description de cet ordinateur. Contactez l'assistance.",
    en: "The service refused this computer's description. Contact support.",
  },
  not_found: {
    fr: "Le service ne connaît pas cette demande. Vérifiez l'adresse du service, ou mettez le programme à jour.",
    en: "The service does not know this request. Check the service address, or update the program.",
  },
  method_not_allowed: {
    fr: "Le service a refusé cette demande. Mettez le programme à jour, puis réessayez.",
    en: "The service refused this request. Update the program, then try again.",
  },
  timeout: {
    fr: "Le service a mis trop de temps à répondre. Réessayez dans un instant.",
    en: "The service took too long to answer. Try again in a moment.",
  },
  service_unavailable: {
    fr: "Le service des comptes clients est momentanément indisponible. Réessayez dans quelques minutes.",
    en: "The customer account service is unavailable for the moment. Try again in a few minutes.",
  },
};

export function isKnownCode(code: string): code is Code {
  return Object.prototype.hasOwnProperty.call(TEXTS, code);
}

/** The text for one code; an unknown code reads as `unexpected`. */
export function codeText(code: string, lang: Language): string {
  return (isKnownCode(code) ? TEXTS[code] : TEXTS.unexpected)[lang];
}

/** "Trop de tentatives. Réessayez dans 3 minutes." */
export function rateLimitedText(retryAfterSeconds: number | undefined, lang: Language): string {
  if (retryAfterSeconds === undefined || !(retryAfterSeconds > 0)) {
    return codeText("rate_limited", lang);
  }
  const wait = formatWait(retryAfterSeconds, lang);
  return lang === "fr"
    ? `Trop de tentatives. Réessayez dans ${wait}.`
    : `Too many attempts. Try again in ${wait}.`;
}

/** What to tell the user about a failed command. */
export function errorText(error: CommandError, lang: Language): string {
  if (error.code === "rate_limited") {
    return rateLimitedText(error.retry_after_seconds, lang);
  }
  if (error.code === "service_error" && error.service_code !== undefined && isKnownCode(error.service_code)) {
    return codeText(error.service_code, lang);
  }
  return codeText(error.code, lang);
}

const ADDRESS = "address.";

function hasLabel(key: string): boolean {
  return Object.prototype.hasOwnProperty.call(FIELD_LABELS, key);
}

/** The label of a field, by the service's key ("address.street") or form name ("street"). */
export function fieldLabel(field: string, lang: Language): string {
  const key = hasLabel(field) ? field : ADDRESS + field;
  const label = hasLabel(key) ? FIELD_LABELS[key] : undefined;
  return label === undefined ? field : label[lang];
}

/** Every field that has a label, by form name (plus password, the e-mail code and language). */
export const LABELLED_FIELDS: readonly string[] = Object.keys(FIELD_LABELS).map((key) =>
  key.startsWith(ADDRESS) ? key.slice(ADDRESS.length) : key,
);

/** Why a field was refused, in words. */
export function fieldErrorText(error: Pick<FieldError, "code">, lang: Language): string {
  return codeText(error.code, lang);
}

/** "Téléphone : Numéro de téléphone invalide (…)", for fields the form cannot point at. */
export function fieldErrorLine(error: Pick<FieldError, "field" | "code">, lang: Language): string {
  const separator = lang === "fr" ? " : " : ": ";
  return `${fieldLabel(error.field, lang)}${separator}${fieldErrorText(error, lang)}`;
}
