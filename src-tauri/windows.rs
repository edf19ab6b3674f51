//! What only Windows needs: joining the console the program was started from, and the
//! service address an administrator preset in the registry.

/// Where the installer and administrators keep the program's settings, under HKCU (this
/// user) and HKLM (every user of the machine).
#[cfg(windows)]
const REGISTRY_KEY: &str = r"Software\customer-account";
/// The value holding the service's address.
#[cfg(windows)]
const SERVICE_URL_VALUE: &str = "ServiceUrl";

/// A release build is a GUI-subsystem program, so Windows gives it no console: its output
/// would vanish in cmd.exe or PowerShell. A command joins its parent's console (the
/// window never does, so launching it shows no console). Output already redirected to a
/// file or a pipe keeps going there; started from Explorer there is no console to join,
/// and nothing happens.
pub fn attach_to_parent_console() {
    #[cfg(windows)]
    // SAFETY: a plain Win32 call without pointers; failure leaves the process as it was.
    unsafe {
        use windows_sys::Win32::System::Console::{AttachConsole, ATTACH_PARENT_PROCESS};
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

/// The service address from the registry: this user's setting first, then the
/// machine-wide preset the installer wrote (`/SERVICEURL=…`).
pub fn registry_service_url() -> Option<String> {
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::Registry::{HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE};
        read_string(HKEY_CURRENT_USER, REGISTRY_KEY, SERVICE_URL_VALUE)
            .or_else(|| read_string(HKEY_LOCAL_MACHINE, REGISTRY_KEY, SERVICE_URL_VALUE))
            .map(|url| url.trim().to_owned())
            .filter(|url| !url.is_empty())
    }
    #[cfg(not(windows))]
    {
        None
    }
}

#[cfg(windows)]
fn read_string(
    root: windows_sys::Win32::System::Registry::HKEY,
    key: &str,
    value: &str,
) -> Option<String> {
    use windows_sys::Win32::{
        Foundation::ERROR_SUCCESS,
        System::Registry::{RegGetValueW, RRF_RT_REG_SZ},
    };
    let wide = |s: &str| s.encode_utf16().chain(Some(0)).collect::<Vec<u16>>();
    let (key, value) = (wide(key), wide(value));
    let mut buffer = vec![0u16; 2048];
    let mut size = (buffer.len() * 2) as u32;
    // SAFETY: the key and value names are NUL-terminated UTF-16; `buffer` holds `size`
    // bytes, and RegGetValueW writes at most that many.
    let status = unsafe {
        RegGetValueW(
            root,
            key.as_ptr(),
            value.as_ptr(),
            RRF_RT_REG_SZ,
            std::ptr::null_mut(),
            buffer.as_mut_ptr().cast(),
            &mut size,
        )
    };
    if status != ERROR_SUCCESS {
        return None;
    }
    let chars = (size as usize / 2).min(buffer.len());
    let text = String::from_utf16_lossy(&buffer[..chars]);
    Some(text.trim_end_matches('\0').to_owned())
}
