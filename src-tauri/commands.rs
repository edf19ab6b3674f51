// The commands the window's page may invoke: the one list. build.rs `include!`s this file
// to declare them as `allow-<command>` permissions, `app` registers their handlers from
// it, a test checks that capabilities/default.json grants exactly these, and the page's
// `Command` type (ui/src/generated/commands.ts) is generated from it.
// (Plain comments: build.rs includes this file among its items.)

/// Calls `$then!` with the commands' function names, in the order the page meets them.
macro_rules! window_commands {
    ($then:ident) => {
        $then!(
            startup,
            account_snapshot,
            account_status,
            register,
            request_password,
            link,
            edit,
            confirm_email,
            cancel_email_change,
            unlink,
            unlink_machine,
            unlink_stale_machines,
            enrollment_keys,
            create_enrollment_key,
            revoke_enrollment_key
        )
    };
}

/// The names, as the page invokes them and build.rs declares them.
#[allow(unused_macros)] // by build.rs and the tests only
macro_rules! command_names {
    ($($command:ident),*) => {
        &[$(stringify!($command)),*]
    };
}
