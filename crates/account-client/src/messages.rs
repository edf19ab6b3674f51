//! Errors in words for people, in French or English.

use account_api::domain::{Invalid, Language};

use crate::{
    credentials::CredentialError,
    error::{ClientError, KeyProblem},
};

/// What an administrator reads when a key links nothing, and what to do about it.
fn key_problem_text(problem: KeyProblem, fr: bool) -> &'static str {
    match (problem, fr) {
        (KeyProblem::Invalid, true) => "Clé d'enrôlement incorrecte. Vérifiez-la (copiez-la telle qu'elle a été affichée à sa création), ou créez-en une nouvelle depuis la section « Ordinateurs » d'un ordinateur lié.",
        (KeyProblem::Invalid, false) => "Wrong enrollment key. Check it (copy it exactly as shown when it was created), or create a new one from the \"Computers\" section of a linked computer.",
        (KeyProblem::Expired, true) => "Cette clé d'enrôlement a expiré. Créez-en une nouvelle depuis la section « Ordinateurs » d'un ordinateur lié.",
        (KeyProblem::Expired, false) => "This enrollment key has expired. Create a new one from the \"Computers\" section of a linked computer.",
        (KeyProblem::UsedUp, true) => "Toutes les utilisations de cette clé d'enrôlement ont été consommées. Créez une nouvelle clé pour les ordinateurs restants.",
        (KeyProblem::UsedUp, false) => "Every use of this enrollment key has been taken. Create a new key for the remaining computers.",
        (KeyProblem::Revoked, true) => "Cette clé d'enrôlement a été révoquée. Demandez une nouvelle clé à l'administrateur du compte.",
        (KeyProblem::Revoked, false) => "This enrollment key was revoked. Ask the account's administrator for a new key.",
    }
}

/// The message for `err`, in `language`.
pub fn describe(err: &ClientError, language: Language) -> String {
    let fr = language == Language::Fr;
    match err {
        ClientError::Unreachable(_) if fr => {
            "Le service des comptes clients ne répond pas. Vérifiez la connexion Internet, puis réessayez.".into()
        }
        ClientError::Unreachable(_) => {
            "The customer account service does not answer. Check the Internet connection, then try again.".into()
        }
        ClientError::RateLimited { retry_after_seconds } => {
            let wait = wait_text(*retry_after_seconds, language);
            if fr {
                format!("Trop de tentatives. Réessayez dans {wait}.")
            } else {
                format!("Too many attempts. Try again in {wait}.")
            }
        }
        ClientError::WrongPassword if fr => "Adresse e-mail ou mot de passe incorrect.".into(),
        ClientError::WrongPassword => "Wrong e-mail address or password.".into(),
        ClientError::ChangedElsewhere if fr => {
            "Le compte a été modifié depuis un autre ordinateur. Rechargez-le, puis refaites vos modifications.".into()
        }
        ClientError::ChangedElsewhere => {
            "The account was changed from another computer. Reload it, then make your changes again.".into()
        }
        ClientError::LinkedElsewhere if fr => {
            "Cet ordinateur est lié à un autre compte client. Déliez-le d'abord, ou transférez-le (--move).".into()
        }
        ClientError::LinkedElsewhere => {
            "This computer is linked to another customer account. Unlink it first, or move it (--move).".into()
        }
        ClientError::Fields(errors) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| {
                    let text = Invalid::ALL
                        .iter()
                        .find(|i| i.code() == e.code)
                        .map(|i| i.message(language).to_owned())
                        .unwrap_or_else(|| e.message.clone());
                    format!("{} : {text}", field_label(&e.field, language))
                })
                .collect();
            lines.join("\n")
        }
        ClientError::NotLinked if fr => "Cet ordinateur n'est lié à aucun compte client.".into(),
        ClientError::NotLinked => "This computer is not linked to a customer account.".into(),
        ClientError::EmailUnavailable if fr => {
            "Cette adresse e-mail ne peut pas être utilisée pour ce compte.".into()
        }
        ClientError::EmailUnavailable => "This e-mail address cannot be used for this account.".into(),
        ClientError::MachineNotFound if fr => "Cet ordinateur ne fait pas partie des ordinateurs liés au compte.".into(),
        ClientError::MachineNotFound => "No such computer among the account's linked computers.".into(),
        ClientError::EmailCodeInvalid if fr => {
            "Code de confirmation incorrect ou expiré. Vérifiez le code du dernier e-mail reçu à la nouvelle adresse. Un code est valable 24 heures ; après 5 codes erronés, le changement d'adresse est annulé : demandez-le de nouveau.".into()
        }
        ClientError::EmailCodeInvalid => {
            "Wrong or expired confirmation code. Check the code in the latest e-mail received at the new address. A code is valid for 24 hours; after 5 wrong codes the change of address is cancelled: ask for it again.".into()
        }
        ClientError::EnrollmentKey(problem) => key_problem_text(*problem, fr).into(),
        ClientError::EnrollmentKeyNotFound if fr => {
            "Cette clé d'enrôlement n'existe pas ou n'est plus en vigueur.".into()
        }
        ClientError::EnrollmentKeyNotFound => {
            "No such enrollment key, or it is no longer in force.".into()
        }
        ClientError::CredentialStore(CredentialError::Unavailable(cause)) if fr => format!(
            "Aucun coffre d'identifiants n'est disponible sur cet ordinateur : le lien ne peut pas être conservé. ({cause})"
        ),
        ClientError::CredentialStore(CredentialError::Unavailable(cause)) => format!(
            "No credential store is available on this computer: the link cannot be kept. ({cause})"
        ),
        ClientError::CredentialStore(CredentialError::Failed(cause)) if fr => {
            format!("Le coffre d'identifiants a refusé l'opération. ({cause})")
        }
        ClientError::CredentialStore(CredentialError::Failed(cause)) => {
            format!("The credential store refused the operation. ({cause})")
        }
        ClientError::Service { code, message, .. } if fr => {
            format!("Le service a répondu par une erreur inattendue ({code} : {message}).")
        }
        ClientError::Service { code, message, .. } => {
            format!("The service answered with an unexpected error ({code}: {message}).")
        }
        ClientError::Unexpected(cause) if fr => format!("Erreur inattendue : {cause}"),
        ClientError::Unexpected(cause) => format!("Unexpected error: {cause}"),
    }
}

fn wait_text(seconds: u64, language: Language) -> String {
    let minutes = seconds.div_ceil(60);
    match (language, seconds) {
        (Language::Fr, 0..=59) => format!("{seconds} secondes"),
        (Language::Fr, _) => format!("{minutes} minute{}", if minutes > 1 { "s" } else { "" }),
        (Language::En, 0..=59) => format!("{seconds} seconds"),
        (Language::En, _) => format!("{minutes} minute{}", if minutes > 1 { "s" } else { "" }),
    }
}

/// The name of a form field, as the user sees it (the field's key when it has none).
pub fn field_label(field: &str, language: Language) -> &str {
    account_api::fields::field_label(field, language).unwrap_or(field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error_from_body;
    use account_api::error::{ApiErrorBody, ErrorCode, FieldError};

    #[test]
    fn every_error_has_both_languages_and_waits_read_well() {
        let errors = [
            ClientError::Unreachable("x".into()),
            ClientError::RateLimited {
                retry_after_seconds: 61,
            },
            ClientError::WrongPassword,
            ClientError::ChangedElsewhere,
            ClientError::LinkedElsewhere,
            ClientError::Fields(vec![FieldError::new("siret", Invalid::SiretCheckDigit)]),
            ClientError::NotLinked,
            ClientError::EmailUnavailable,
            ClientError::MachineNotFound,
            ClientError::EmailCodeInvalid,
            ClientError::EnrollmentKey(KeyProblem::Invalid),
            ClientError::EnrollmentKey(KeyProblem::Expired),
            ClientError::EnrollmentKey(KeyProblem::UsedUp),
            ClientError::EnrollmentKey(KeyProblem::Revoked),
            ClientError::EnrollmentKeyNotFound,
            ClientError::CredentialStore(CredentialError::Unavailable("no bus".into())),
            ClientError::Unexpected("disk full".into()),
        ];
        for err in &errors {
            let fr = describe(err, Language::Fr);
            let en = describe(err, Language::En);
            assert!(!fr.is_empty() && !en.is_empty());
            assert_ne!(fr, en, "{err:?}");
        }
        assert_eq!(
            describe(&errors[1], Language::Fr),
            "Trop de tentatives. Réessayez dans 2 minutes."
        );
        assert!(describe(&errors[5], Language::Fr).starts_with("SIRET : "));
    }

    /// The service's protocol errors and its trouble (`SERVICE_CODES`), and `unexpected`,
    /// are told as "unexpected" with their code (or as the service being unavailable);
    /// every other code has words of its own.
    #[test]
    fn every_error_code_of_the_service_has_its_words() {
        let all = ErrorCode::GENERAL
            .iter()
            .copied()
            .chain(Invalid::ALL.iter().copied().map(ErrorCode::Field));
        for code in all {
            let field = matches!(code, ErrorCode::Field(_)).then(|| "code".to_owned());
            let body = ApiErrorBody {
                code: code.as_str().to_owned(),
                message: "English for logs".into(),
                field: field.clone(),
                errors: vec![],
                retry_after_seconds: None,
            };
            let err = error_from_body(reqwest::StatusCode::UNPROCESSABLE_ENTITY, body, None);
            let fr = describe(&err, Language::Fr);
            let en = describe(&err, Language::En);
            assert!(!fr.trim().is_empty() && !en.trim().is_empty(), "{code:?}");
            assert_ne!(fr, en, "{code:?}");
            let generic = matches!(
                err,
                ClientError::Service { .. } | ClientError::Unreachable(_)
            );
            assert_eq!(
                generic,
                crate::error::SERVICE_CODES.contains(&code) || code == ErrorCode::Unexpected,
                "{code:?} should have words of its own: {err:?}"
            );
            if !generic {
                // People read words for the code, not the service's English message.
                assert!(!en.contains("English for logs"), "{code:?}: {en}");
            }
        }
    }

    #[test]
    fn a_wrong_confirmation_code_and_an_empty_one_read_well() {
        let body = ApiErrorBody {
            code: "email_code_invalid".into(),
            message: "The code is wrong or expired".into(),
            field: Some("code".into()),
            errors: vec![],
            retry_after_seconds: None,
        };
        let err = error_from_body(reqwest::StatusCode::UNPROCESSABLE_ENTITY, body, None);
        assert!(matches!(err, ClientError::EmailCodeInvalid), "{err:?}");
        assert_eq!(err.code(), "email_code_invalid");
        assert!(describe(&err, Language::En).starts_with("Wrong or expired confirmation code."));
        assert!(describe(&err, Language::Fr).starts_with("Code de confirmation incorrect"));

        let body = ApiErrorBody {
            code: "empty".into(),
            message: "This field is required.".into(),
            field: Some("code".into()),
            errors: vec![FieldError::new("code", Invalid::Empty)],
            retry_after_seconds: None,
        };
        let err = error_from_body(reqwest::StatusCode::UNPROCESSABLE_ENTITY, body, None);
        assert_eq!(
            describe(&err, Language::Fr),
            format!(
                "Code de confirmation : {}",
                Invalid::Empty.message(Language::Fr)
            )
        );
    }
}
