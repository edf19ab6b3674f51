// The page's words in French and English, and which language the page speaks.
// Error texts live in messages.ts; field labels too.

import type { Language } from "./api";

export type Lang = Language;

export const LANGUAGES: readonly Lang[] = ["fr", "en"];

export interface Texts {
  appTitle: string;
  languageLabel: string;
  loading: string;
  retry: string;
  back: string;
  cancel: string;
  optional: string;

  welcomeTitle: string;
  welcomeIntro: string;
  welcomeOnePerCompany: string;
  goRegister: string;
  goLink: string;

  registerTitle: string;
  registerHint: string;
  registerEmailHint: string;
  registerSubmit: string;
  addressLegend: string;
  siretHint: string;
  streetHint: string;
  countryHint: string;

  sentTitle: string;
  sentSpamHint: string;
  passwordHint: string;
  showPassword: string;
  linkSubmit: string;
  requestPasswordAgain: string;

  linkTitle: string;
  linkIntro: string;
  linkHavePassword: string;
  linkMove: string;

  accountTitle: string;
  customerIdLabel: string;
  customerIdHint: string;
  copy: string;
  copied: string;
  copiedNotice: string;
  copyFailed: string;
  supportTimeTitle: string;
  balanceLabel: string;
  recentSupportCalls: string;
  noSupportCalls: string;
  detailsTitle: string;
  detailsHint: string;
  companyHint: string;
  validate: string;
  /** "E-mail my password": asks for a password request. */
  requestPassword: string;
  machinesTitle: string;
  machinesHint: string;
  thisMachine: string;
  sharesIdentity: string;
  unlinkMachine: string;
  unlinkThisTitle: string;
  unlinkThisText: string;
  unlinkThis: string;
  unlinkDialogTitle: string;
  unlinkConfirm: string;
  unlinkedNotice: string;
  saveDialogTitle: string;
  saveDialogText: string;
  saveDialogSubmit: string;
  unlinkMachineDialogText: string;
  forgotPassword: string;
  wrongPassword: string;
  saved: string;
  reload: string;
  reloadedNotice: string;
  backOnline: string;
  confirmationCodeLabel: string;
  confirmationCodeHint: string;
  emailConfirm: string;
  emailCancelChange: string;
  addComputers: string;
  addComputersHint: string;
  keyFormTitle: string;
  keyLabelHint: string;
  keyCreate: string;
  keyDialogTitle: string;
  newKeyTitle: string;
  newKeyOnce: string;
  newKeyCommandIntro: string;
  newKeyInstallerIntro: string;
  newKeyClose: string;
  keyCopiedNotice: string;
  keyCopyFailed: string;
  keysTitle: string;
  noKeys: string;
  keysOffline: string;
  keyActive: string;
  keyExpired: string;
  keyUsedUp: string;
  keyRevoked: string;
  keyNoUses: string;
  revokeKey: string;
  confirmRevoke: string;
  staleTitle: string;
  staleHint: string;
  staleDaysLabel: string;
  unlinkStale: string;

  sentText: (email: string) => string;
  passwordRequestSentIfAccount: (email: string) => string;
  passwordRequestSent: (email: string) => string;
  offlineText: (date: string) => string;
  refreshingText: (date: string) => string;
  lastSeen: (date: string) => string;
  linkedNotice: (customerId: string) => string;
  machineUnlinkedNotice: (name: string) => string;
  unlinkMachineTitle: (name: string) => string;
  unlinkMachineLabel: (name: string) => string;
  unlinkDialogText: (customerId: string) => string;
  overdrawn: (amount: string) => string;
  supportCallLine: (date: string, duration: string, agent: string) => string;
  footer: (version: string) => string;
  emailPendingText: (newEmail: string) => string;
  emailPendingHint: (currentEmail: string) => string;
  savedEmailPending: (newEmail: string) => string;
  emailChangedNotice: (email: string) => string;
  emailChangeCancelledNotice: (email: string) => string;
  emailChangeDropped: (currentEmail: string) => string;
  keyDialogText: (label: string, uses: number, days: number) => string;
  keyCreatedNotice: (label: string) => string;
  newKeyAbout: (label: string, uses: number, expires: string) => string;
  keyUsesLeft: (left: number, allowed: number) => string;
  keyExpires: (date: string) => string;
  keyExpiredOn: (date: string) => string;
  keyLinkedMachines: (names: string) => string;
  revokeKeyLabel: (label: string) => string;
  keyRevokedNotice: (label: string) => string;
  staleNone: (days: number) => string;
  staleDialogTitle: (days: number) => string;
  staleDialogText: (count: number, days: number, list: string) => string;
  staleLine: (name: string, lastSeen: string) => string;
  staleSubmit: (count: number) => string;
  staleUnlinkedNotice: (unlinked: number, listed: number) => string;
}

/** "1 ordinateur", "3 ordinateurs": the word for `count`. */
function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

const FR: Texts = {
  appTitle: "Compte client",
  languageLabel: "Langue",
  loading: "Chargement…",
  retry: "Réessayer",
  back: "Retour",
  cancel: "Annuler",
  optional: "(facultatif)",

  welcomeTitle: "Le compte client de votre entreprise",
  welcomeIntro:
    "Le compte client est facultatif : il sert uniquement à contacter l'assistance technique. Quand vous appelez, l'assistance vous demande votre numéro client et décompte de votre crédit le temps passé avec vous.",
  welcomeOnePerCompany:
    "Un seul compte par entreprise. Si votre entreprise en a déjà un, ouvert depuis un autre ordinateur par exemple, ne créez pas de nouveau compte : liez cet ordinateur au compte existant.",
  goRegister: "Créer le compte client de mon entreprise",
  goLink: "Mon entreprise a déjà un compte — lier cet ordinateur",

  registerTitle: "Créer le compte client",
  registerHint:
    "Créez le compte pendant que la société qui paie l'assistance est ouverte dans votre logiciel : les factures d'assistance sont établies à son nom. Un seul compte sert pour toutes les sociétés que vous gérez.",
  registerEmailHint: "Le mot de passe du compte sera envoyé à cette adresse.",
  registerSubmit: "Créer le compte",
  addressLegend: "Adresse postale (facultative)",
  siretHint: "14 chiffres.",
  streetHint: "Jusqu'à 3 lignes.",
  countryHint: "Code à deux lettres (FR, BE, CH…) ; laissez vide pour la France.",

  sentTitle: "Saisissez votre mot de passe",
  sentSpamHint:
    "Il arrive en général en quelques secondes. Sinon, regardez dans le dossier des courriers indésirables.",
  passwordHint:
    "15 caractères en trois groupes, par exemple ABCDE-FGHJK-MNPQR. Majuscules ou minuscules ; les tirets sont facultatifs.",
  showPassword: "Afficher le mot de passe",
  linkSubmit: "Lier cet ordinateur",
  requestPasswordAgain: "M'envoyer un nouveau mot de passe",

  linkTitle: "Lier cet ordinateur au compte de votre entreprise",
  linkIntro: "Indiquez l'adresse e-mail du compte client de votre entreprise.",
  linkHavePassword: "J'ai déjà mon mot de passe",
  linkMove: "Transférer cet ordinateur vers ce compte",

  accountTitle: "Votre compte client",
  customerIdLabel: "Numéro client",
  customerIdHint: "Donnez ce numéro à l'assistance : elle décompte le temps passé avec vous.",
  copy: "Copier",
  copied: "Copié",
  copiedNotice: "Numéro client copié.",
  copyFailed: "Impossible de copier : sélectionnez le numéro, puis appuyez sur Ctrl+C.",
  supportTimeTitle: "Crédit d'assistance",
  balanceLabel: "Temps restant",
  recentSupportCalls: "Dernières interventions",
  noSupportCalls: "Aucune intervention pour l'instant.",
  detailsTitle: "Coordonnées du compte",
  detailsHint:
    "Modifiez-les directement, puis validez : l'enregistrement demande le mot de passe du compte.",
  companyHint: "Les factures d'assistance sont établies à ce nom.",
  validate: "Valider",
  requestPassword: "M'envoyer mon mot de passe par e-mail",
  machinesTitle: "Ordinateurs liés au compte",
  machinesHint:
    "Un ordinateur remplacé ou hors service ? Déliez-le ici : le mot de passe du compte vous sera demandé.",
  thisMachine: "Cet ordinateur",
  sharesIdentity: "Même identifiant système qu'un autre ordinateur lié (copie d'une image disque ?)",
  unlinkMachine: "Délier",
  unlinkThisTitle: "Délier cet ordinateur",
  unlinkThisText:
    "Cet ordinateur ne sera plus lié au compte client. Au prochain lancement, vous pourrez le lier de nouveau, à ce compte ou à un autre.",
  unlinkThis: "Délier cet ordinateur",
  unlinkDialogTitle: "Délier cet ordinateur ?",
  unlinkConfirm: "Délier",
  unlinkedNotice: "Cet ordinateur n'est plus lié au compte client.",
  saveDialogTitle: "Enregistrer les modifications",
  saveDialogText: "Saisissez le mot de passe du compte.",
  saveDialogSubmit: "Enregistrer",
  unlinkMachineDialogText:
    "Cet ordinateur ne pourra plus utiliser le compte client tant qu'il n'aura pas été lié de nouveau. Saisissez le mot de passe du compte.",
  forgotPassword: "Mot de passe oublié ? Annulez, puis choisissez « M'envoyer mon mot de passe par e-mail ».",
  wrongPassword: "Mot de passe incorrect.",
  saved: "Enregistré.",
  reload: "Recharger",
  reloadedNotice: "Compte rechargé : vos saisies sont conservées.",
  backOnline: "Le service répond de nouveau.",
  confirmationCodeLabel: "Code de confirmation",
  confirmationCodeHint: "8 caractères, par exemple K7RM-2XQD. Majuscules ou minuscules ; le tiret est facultatif.",
  emailConfirm: "Confirmer",
  emailCancelChange: "Annuler le changement",
  addComputers: "Ajouter plusieurs ordinateurs",
  addComputersHint:
    "Une clé d'enrôlement lie plusieurs ordinateurs au compte sans saisir le mot de passe sur chacun. Elle sert un nombre limité de fois et expire.",
  keyFormTitle: "Nouvelle clé d'enrôlement",
  keyLabelHint: "Par exemple « Salle de formation » ; 60 caractères au plus.",
  keyCreate: "Créer la clé",
  keyDialogTitle: "Créer une clé d'enrôlement",
  newKeyTitle: "Clé d'enrôlement créée",
  newKeyOnce: "Copiez-la maintenant : elle ne sera plus jamais affichée.",
  newKeyCommandIntro:
    "Sur chaque ordinateur à lier, enregistrez la clé dans un fichier key.txt, puis lancez cette commande dans le dossier du fichier :",
  newKeyInstallerIntro:
    "Ou, à l'installation, lancez l'installateur en mode silencieux avec cette option et le même fichier key.txt : l'ordinateur se lie au compte à son premier lancement.",
  newKeyClose: "Fermer (la clé ne sera plus affichée)",
  keyCopiedNotice: "Clé d'enrôlement copiée.",
  keyCopyFailed: "Impossible de copier : sélectionnez la clé, puis appuyez sur Ctrl+C.",
  keysTitle: "Clés d'enrôlement",
  noKeys: "Aucune clé d'enrôlement.",
  keysOffline: "La liste des clés d'enrôlement n'est pas disponible tant que le service est injoignable.",
  keyActive: "Active",
  keyExpired: "Expirée",
  keyUsedUp: "Épuisée",
  keyRevoked: "Révoquée",
  keyNoUses: "Aucun ordinateur lié avec cette clé pour l'instant.",
  revokeKey: "Révoquer",
  confirmRevoke: "Confirmer la révocation",
  staleTitle: "Ordinateurs inactifs",
  staleHint:
    "Déliez en une fois les ordinateurs qui ne se sont pas connectés depuis un certain nombre de jours (jamais cet ordinateur). La liste vous est montrée avant, et le mot de passe du compte est demandé.",
  staleDaysLabel: "Non vus depuis (jours)",
  unlinkStale: "Délier les ordinateurs inactifs",

  sentText: (email) => `Saisissez le mot de passe que nous avons envoyé à ${email}.`,
  passwordRequestSentIfAccount: (email) =>
    `Si ${email} est l'adresse d'un compte client, un nouveau mot de passe vient d'y être envoyé.`,
  passwordRequestSent: (email) =>
    `Un nouveau mot de passe a été envoyé à ${email}. L'actuel reste valable tant que vous n'avez pas utilisé le nouveau.`,
  offlineText: (date) =>
    `Service injoignable — données du ${date}. Elles ne peuvent pas être modifiées pour l'instant.`,
  refreshingText: (date) => `Données enregistrées le ${date} — mise à jour…`,
  lastSeen: (date) => `Vu le ${date}`,
  linkedNotice: (id) => `Cet ordinateur est lié au compte client ${id}.`,
  machineUnlinkedNotice: (name) => `L'ordinateur ${name} a été délié du compte.`,
  unlinkMachineTitle: (name) => `Délier l'ordinateur ${name}`,
  unlinkMachineLabel: (name) => `Délier ${name}`,
  unlinkDialogText: (id) =>
    `Cet ordinateur ne sera plus lié au compte client ${id}. Au prochain lancement, vous pourrez le lier de nouveau.`,
  overdrawn: (amount) => `Crédit dépassé de ${amount}.`,
  supportCallLine: (date, duration, agent) => `${date} — ${duration} avec ${agent}`,
  footer: (version) => `Compte client, version ${version}`,
  emailPendingText: (email) => `Un code a été envoyé à ${email} — saisissez-le pour utiliser cette adresse.`,
  emailPendingHint: (current) =>
    `D'ici là, le compte garde l'adresse ${current}. Le code est valable 24 heures.`,
  savedEmailPending: (email) =>
    `Enregistré. Un code a été envoyé à ${email} : saisissez-le sous l'adresse e-mail pour utiliser cette adresse.`,
  emailChangedNotice: (email) => `L'adresse e-mail du compte est désormais ${email}.`,
  emailChangeCancelledNotice: (email) => `Changement d'adresse annulé : le compte garde l'adresse ${email}.`,
  emailChangeDropped: (current) =>
    `Ce changement d'adresse n'est plus en attente (code expiré, trop de codes erronés, ou changement annulé depuis un autre ordinateur) : le compte garde l'adresse ${current}. Pour en changer, saisissez de nouveau la nouvelle adresse, puis validez.`,
  keyDialogText: (label, uses, days) =>
    `La clé « ${label} » liera jusqu'à ${plural(uses, "ordinateur", "ordinateurs")} pendant ${plural(days, "jour", "jours")}. Saisissez le mot de passe du compte.`,
  keyCreatedNotice: (label) => `Clé d'enrôlement « ${label} » créée.`,
  newKeyAbout: (label, uses, expires) =>
    `« ${label} » — jusqu'à ${plural(uses, "ordinateur", "ordinateurs")}, valable jusqu'au ${expires}.`,
  keyUsesLeft: (left, allowed) =>
    `${left} ${left === 1 ? "utilisation restante" : "utilisations restantes"} sur ${allowed}`,
  keyExpires: (date) => `expire le ${date}`,
  keyExpiredOn: (date) => `a expiré le ${date}`,
  keyLinkedMachines: (names) => `Ordinateurs liés avec cette clé : ${names}`,
  revokeKeyLabel: (label) => `Révoquer la clé ${label}`,
  keyRevokedNotice: (label) => `La clé d'enrôlement « ${label} » est révoquée : elle ne lie plus aucun ordinateur.`,
  staleNone: (days) => `Aucun autre ordinateur n'est resté sans connexion depuis ${plural(days, "jour", "jours")}.`,
  staleDialogTitle: (days) => `Délier les ordinateurs non vus depuis ${plural(days, "jour", "jours")}`,
  staleDialogText: (count, days, list) =>
    `${count === 1 ? "Cet ordinateur, non vu" : `Ces ${count} ordinateurs, non vus`} depuis ${plural(days, "jour", "jours")}, ${count === 1 ? "sera délié" : "seront déliés"} du compte :\n${list}\nSaisissez le mot de passe du compte.`,
  staleLine: (name, lastSeen) => `• ${name} — vu le ${lastSeen}`,
  staleSubmit: (count) => `Délier ${plural(count, "ordinateur", "ordinateurs")}`,
  staleUnlinkedNotice: (unlinked, listed) =>
    unlinked === listed
      ? `${plural(unlinked, "ordinateur délié", "ordinateurs déliés")} du compte.`
      : `${plural(unlinked, "ordinateur délié", "ordinateurs déliés")} sur ${listed} : les autres se sont connectés entre-temps ou n'étaient plus liés.`,
};

const EN: Texts = {
  appTitle: "Customer account",
  languageLabel: "Language",
  loading: "Loading…",
  retry: "Retry",
  back: "Back",
  cancel: "Cancel",
  optional: "(optional)",

  welcomeTitle: "Your company's customer account",
  welcomeIntro:
    "The customer account is optional: it is only needed to contact technical support. When you call, support asks for your customer ID and counts the time spent with you against your support time.",
  welcomeOnePerCompany:
    "One account per company. If your company already has one, opened from another computer for instance, do not create a new account: link this computer to the existing one.",
  goRegister: "Create my company's customer account",
  goLink: "My company already has one — link this computer",

  registerTitle: "Create the customer account",
  registerHint:
    "Create the account while the company that pays for support is open in your software: support invoices are made out in its name. One account serves every company you manage.",
  registerEmailHint: "The account password will be sent to this address.",
  registerSubmit: "Create the account",
  addressLegend: "Postal address (optional)",
  siretHint: "14 digits.",
  streetHint: "Up to 3 lines.",
  countryHint: "Two-letter code (FR, BE, CH…); leave empty for France.",

  sentTitle: "Enter your password",
  sentSpamHint: "It usually arrives within a few seconds. If not, look in the spam folder.",
  passwordHint:
    "15 characters in three groups, for example ABCDE-FGHJK-MNPQR. Upper or lower case; the dashes are optional.",
  showPassword: "Show the password",
  linkSubmit: "Link this computer",
  requestPasswordAgain: "E-mail me a new password",

  linkTitle: "Link this computer to your company's account",
  linkIntro: "Enter the e-mail address of your company's customer account.",
  linkHavePassword: "I have it",
  linkMove: "Move this computer to this account",

  accountTitle: "Your customer account",
  customerIdLabel: "Customer ID",
  customerIdHint: "Give this number to support: it counts the time spent with you.",
  copy: "Copy",
  copied: "Copied",
  copiedNotice: "Customer ID copied.",
  copyFailed: "Cannot copy: select the number, then press Ctrl+C.",
  supportTimeTitle: "Support time",
  balanceLabel: "Time left",
  recentSupportCalls: "Latest support calls",
  noSupportCalls: "No support call yet.",
  detailsTitle: "Account details",
  detailsHint: "Change them here, then validate: saving asks for the account password.",
  companyHint: "Support invoices are made out in this name.",
  validate: "Validate",
  requestPassword: "E-mail my password",
  machinesTitle: "Computers linked to the account",
  machinesHint:
    "A computer replaced or out of service? Unlink it here: you will be asked for the account password.",
  thisMachine: "This computer",
  sharesIdentity: "Same system identifier as another linked computer (a cloned disk image?)",
  unlinkMachine: "Unlink",
  unlinkThisTitle: "Unlink this computer",
  unlinkThisText:
    "This computer will no longer be linked to the customer account. At the next opening you can link it again, to this account or another.",
  unlinkThis: "Unlink this computer",
  unlinkDialogTitle: "Unlink this computer?",
  unlinkConfirm: "Unlink",
  unlinkedNotice: "This computer is no longer linked to the customer account.",
  saveDialogTitle: "Save the changes",
  saveDialogText: "Enter the account password.",
  saveDialogSubmit: "Save",
  unlinkMachineDialogText:
    "That computer will no longer use the customer account until it is linked again. Enter the account password.",
  forgotPassword: "Forgot it? Cancel, then choose “E-mail my password”.",
  wrongPassword: "Wrong password.",
  saved: "Saved.",
  reload: "Reload",
  reloadedNotice: "Account reloaded: what you typed is kept.",
  backOnline: "The service answers again.",
  confirmationCodeLabel: "Confirmation code",
  confirmationCodeHint: "8 characters, for example K7RM-2XQD. Upper or lower case; the dash is optional.",
  emailConfirm: "Confirm",
  emailCancelChange: "Cancel the change",
  addComputers: "Add several computers",
  addComputersHint:
    "An enrollment key links several computers to the account without typing the password on each. It works a limited number of times and expires.",
  keyFormTitle: "New enrollment key",
  keyLabelHint: "For example “Training room”; at most 60 characters.",
  keyCreate: "Create the key",
  keyDialogTitle: "Create an enrollment key",
  newKeyTitle: "Enrollment key created",
  newKeyOnce: "Copy it now: it will never be shown again.",
  newKeyCommandIntro:
    "On each computer to link, save the key in a file key.txt, then run this command in the file's folder:",
  newKeyInstallerIntro:
    "Or, when installing, run the installer silently with this option and the same key.txt file: the computer links to the account at its first start.",
  newKeyClose: "Close (the key will not be shown again)",
  keyCopiedNotice: "Enrollment key copied.",
  keyCopyFailed: "Cannot copy: select the key, then press Ctrl+C.",
  keysTitle: "Enrollment keys",
  noKeys: "No enrollment key.",
  keysOffline: "The list of enrollment keys is not available while the service is unreachable.",
  keyActive: "Active",
  keyExpired: "Expired",
  keyUsedUp: "Used up",
  keyRevoked: "Revoked",
  keyNoUses: "No computer linked with this key yet.",
  revokeKey: "Revoke",
  confirmRevoke: "Confirm revocation",
  staleTitle: "Inactive computers",
  staleHint:
    "Unlink at once the computers not seen for a number of days (never this one). You see the list first, and the account password is asked.",
  staleDaysLabel: "Not seen for (days)",
  unlinkStale: "Unlink inactive computers",

  sentText: (email) => `Enter the password we e-mailed to ${email}.`,
  passwordRequestSentIfAccount: (email) =>
    `If ${email} is a customer account's address, a new password has just been sent to it.`,
  passwordRequestSent: (email) =>
    `A new password was sent to ${email}. The current one keeps working until you use the new one.`,
  offlineText: (date) => `Service unreachable — data from ${date}. It cannot be changed for now.`,
  refreshingText: (date) => `Data saved on ${date} — refreshing…`,
  lastSeen: (date) => `Last seen ${date}`,
  linkedNotice: (id) => `This computer is linked to customer account ${id}.`,
  machineUnlinkedNotice: (name) => `Computer ${name} was unlinked from the account.`,
  unlinkMachineTitle: (name) => `Unlink computer ${name}`,
  unlinkMachineLabel: (name) => `Unlink ${name}`,
  unlinkDialogText: (id) =>
    `This computer will no longer be linked to customer account ${id}. At the next opening you can link it again.`,
  overdrawn: (amount) => `Support time overdrawn by ${amount}.`,
  supportCallLine: (date, duration, agent) => `${date} — ${duration} with ${agent}`,
  footer: (version) => `Customer account, version ${version}`,
  emailPendingText: (email) => `A code was sent to ${email} — enter it to use this address.`,
  emailPendingHint: (current) => `Until then, the account keeps the address ${current}. The code is valid for 24 hours.`,
  savedEmailPending: (email) =>
    `Saved. A code was sent to ${email}: enter it under the e-mail address to use this address.`,
  emailChangedNotice: (email) => `The account's e-mail address is now ${email}.`,
  emailChangeCancelledNotice: (email) => `Change of address cancelled: the account keeps the address ${email}.`,
  emailChangeDropped: (current) =>
    `This change of address is no longer waiting (the code expired, too many wrong codes were entered, or the change was cancelled from another computer): the account keeps the address ${current}. To change it, enter the new address again, then validate.`,
  keyDialogText: (label, uses, days) =>
    `The key “${label}” will link up to ${plural(uses, "computer", "computers")} for ${plural(days, "day", "days")}. Enter the account password.`,
  keyCreatedNotice: (label) => `Enrollment key “${label}” created.`,
  newKeyAbout: (label, uses, expires) =>
    `“${label}” — up to ${plural(uses, "computer", "computers")}, valid until ${expires}.`,
  keyUsesLeft: (left, allowed) => `${left} of ${allowed} ${allowed === 1 ? "use" : "uses"} left`,
  keyExpires: (date) => `expires ${date}`,
  keyExpiredOn: (date) => `expired ${date}`,
  keyLinkedMachines: (names) => `Computers linked with this key: ${names}`,
  revokeKeyLabel: (label) => `Revoke the key ${label}`,
  keyRevokedNotice: (label) => `Enrollment key “${label}” revoked: it no longer links any computer.`,
  staleNone: (days) => `No other computer has been unseen for ${plural(days, "day", "days")}.`,
  staleDialogTitle: (days) => `Unlink the computers not seen for ${plural(days, "day", "days")}`,
  staleDialogText: (count, days, list) =>
    `${count === 1 ? "This computer, not seen" : `These ${count} computers, not seen`} for ${plural(days, "day", "days")}, will be unlinked from the account:\n${list}\nEnter the account password.`,
  staleLine: (name, lastSeen) => `• ${name} — last seen ${lastSeen}`,
  staleSubmit: (count) => `Unlink ${plural(count, "computer", "computers")}`,
  staleUnlinkedNotice: (unlinked, listed) =>
    unlinked === listed
      ? `${plural(unlinked, "computer", "computers")} unlinked from the account.`
      : `${unlinked} of ${plural(listed, "computer", "computers")} unlinked: the others were seen since or were no longer linked.`,
};

const TEXTS: Readonly<Record<Lang, Texts>> = { fr: FR, en: EN };

export function texts(lang: Lang): Texts {
  return TEXTS[lang];
}

/** The keys whose text is a plain string: the ones `data-i18n` may name. */
export type StaticKey = { [K in keyof Texts]: Texts[K] extends string ? K : never }[keyof Texts];

export function isStaticKey(key: string): key is StaticKey {
  return Object.prototype.hasOwnProperty.call(FR, key) && typeof FR[key as keyof Texts] === "string";
}

/** French for any `fr` language tag (fr, fr-FR, fr-CA…), English otherwise. */
export function pickLang(tag: string | null | undefined): Lang {
  return tag?.trim().toLowerCase().split(/[-_]/)[0] === "fr" ? "fr" : "en";
}

export function isLang(value: unknown): value is Lang {
  return value === "fr" || value === "en";
}

// The language choice. The host software says which language to speak (Startup.language);
// a choice made with the header's control is remembered (localStorage) and wins over it,
// until the host software itself changes language (a `host-context` with a different
// language than before): the newer word wins.

export const LANGUAGE_STORAGE_KEY = "customer-account.language";

type ReadStorage = Pick<Storage, "getItem">;
type WriteStorage = Pick<Storage, "setItem" | "removeItem">;

/** The language the user chose earlier, if any (and if storage can be read). */
export function storedLanguage(storage: ReadStorage | null): Lang | null {
  try {
    const value = storage?.getItem(LANGUAGE_STORAGE_KEY) ?? null;
    return isLang(value) ? value : null;
  } catch {
    return null;
  }
}

/** Remembers the user's choice; `null` forgets it. Storage failures are ignored. */
export function storeLanguage(storage: WriteStorage | null, lang: Lang | null): void {
  try {
    if (lang === null) {
      storage?.removeItem(LANGUAGE_STORAGE_KEY);
    } else {
      storage?.setItem(LANGUAGE_STORAGE_KEY, lang);
    }
  } catch {
    // A page without storage still works; it just forgets the choice.
  }
}

/** The language at start: the user's earlier choice, else the host's, else the system's. */
export function initialLanguage(
  stored: Lang | null,
  hostLanguage: string | null | undefined,
  systemTag: string | null | undefined,
): Lang {
  if (stored !== null) {
    return stored;
  }
  if (isLang(hostLanguage)) {
    return hostLanguage;
  }
  return pickLang(systemTag);
}

/**
 * After a second launch handed new host context: follow the host when its language changed
 * (and forget the user's earlier choice), else keep the current language.
 */
export function languageAfterHostContext(
  current: Lang,
  previousHostLanguage: string | null,
  newHostLanguage: string,
): { lang: Lang; forgetChoice: boolean } {
  if (isLang(newHostLanguage) && newHostLanguage !== previousHostLanguage) {
    return { lang: newHostLanguage, forgetChoice: true };
  }
  return { lang: current, forgetChoice: false };
}
