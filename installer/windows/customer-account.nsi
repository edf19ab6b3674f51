; The Windows installer: per machine, in Program Files, with a Start menu entry and an
; "Apps & features" entry, silent with /S, and an administrator's preset of the service
; address with /SERVICEURL=https://… (kept machine-wide in HKLM\Software\customer-account),
; and an enrollment key with /ENROLLMENTKEYFILE=C:\path\key.txt (copied to
; %ProgramData%\customer-account\enrollment-key.txt; the program's first start links the
; computer with it, then deletes it).
; Built offline by scripts/build-windows-installer.sh with Debian's makensis; Tauri's own
; NSIS bundling downloads plugins while building, which cannot work offline.
;
; Defines (makensis -D…): VERSION, SOURCE (folder with customer-account.exe and
; WebView2Loader.dll), OUTFILE.

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"
!include "StrFunc.nsh"
${StrStr}

!ifndef VERSION
  !error "VERSION is not defined"
!endif
!ifndef SOURCE
  !error "SOURCE is not defined"
!endif
!ifndef OUTFILE
  !define OUTFILE "customer-account-setup.exe"
!endif

!define PUBLISHER "Customer account"
!define EXE "customer-account.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\customer-account"
!define SETTINGS_KEY "Software\customer-account"
; WebView2 Runtime's registration (Evergreen), per machine and per user.
!define WEBVIEW2_KEY "Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "$(ProductName)"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\Customer account"
BrandingText "${PUBLISHER} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "Customer account"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "FileDescription" "Customer account installer"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "${SOURCE}\icon.ico"
!define MUI_UNICON "${SOURCE}\icon.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
; The installer speaks the language of Windows: French, else English.
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "French"

LangString ProductName ${LANG_ENGLISH} "Customer account"
LangString ProductName ${LANG_FRENCH} "Compte client"
LangString Needs64 ${LANG_ENGLISH} "This program needs 64-bit Windows 10 or 11."
LangString Needs64 ${LANG_FRENCH} "Ce programme nécessite Windows 10 ou 11 en 64 bits."
LangString WebView2Missing ${LANG_ENGLISH} "Microsoft Edge WebView2 Runtime is missing. Windows 10 and 11 normally include it. Without it the Customer account window cannot open (its commands still work). Ask your administrator to install the WebView2 Runtime (Evergreen) from Microsoft, then open Customer account again."
LangString WebView2Missing ${LANG_FRENCH} "Le composant Microsoft Edge WebView2 Runtime est absent. Windows 10 et 11 l'incluent normalement. Sans lui, la fenêtre Compte client ne peut pas s'ouvrir (ses commandes fonctionnent). Demandez à votre administrateur d'installer WebView2 Runtime (Evergreen) de Microsoft, puis rouvrez Compte client."

Var ServiceUrl
Var KeyFile

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "$(Needs64)" /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  Call ReadServiceUrl
  Call ReadKeyFile
FunctionEnd

; /SERVICEURL=https://accounts.example.com — the administrator's preset, up to the next
; space. (GetOptions would cut the value at its first "/".)
Function ReadServiceUrl
  StrCpy $ServiceUrl ""
  ${GetParameters} $0
  ${StrStr} $1 $0 "/SERVICEURL="
  StrCmp $1 "" done
  StrCpy $1 $1 "" 12
  StrCpy $2 0
  next:
    StrCpy $3 $1 1 $2
    StrCmp $3 "" found
    StrCmp $3 " " found
    IntOp $2 $2 + 1
    Goto next
  found:
  StrCpy $ServiceUrl $1 $2
  done:
FunctionEnd

; /ENROLLMENTKEYFILE=C:\path\key.txt — a file holding an enrollment key, up to the next
; space. The key itself never appears on a command line (other users could read it).
Function ReadKeyFile
  StrCpy $KeyFile ""
  ${GetParameters} $0
  ${StrStr} $1 $0 "/ENROLLMENTKEYFILE="
  StrCmp $1 "" done
  StrCpy $1 $1 "" 19
  StrCpy $2 0
  next:
    StrCpy $3 $1 1 $2
    StrCmp $3 "" found
    StrCmp $3 " " found
    IntOp $2 $2 + 1
    Goto next
  found:
  StrCpy $KeyFile $1 $2
  ; A relative path is the administrator's current folder's.
  GetFullPathName $KeyFile $KeyFile
  done:
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Function CheckWebView2
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\${WEBVIEW2_KEY}" "pv"
  ReadRegStr $1 HKLM "SOFTWARE\${WEBVIEW2_KEY}" "pv"
  ReadRegStr $2 HKCU "Software\${WEBVIEW2_KEY}" "pv"
  ${If} $0 == ""
  ${AndIf} $1 == ""
  ${AndIf} $2 == ""
    DetailPrint "$(WebView2Missing)"
    MessageBox MB_ICONINFORMATION "$(WebView2Missing)" /SD IDOK
  ${EndIf}
FunctionEnd

Section "Install"
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File "${SOURCE}\${EXE}"
  File "${SOURCE}\WebView2Loader.dll"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\$(ProductName).lnk" "$INSTDIR\${EXE}"

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "$(ProductName)"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" $0

  ${If} $ServiceUrl != ""
    WriteRegStr HKLM "${SETTINGS_KEY}" "ServiceUrl" "$ServiceUrl"
  ${EndIf}
  ${If} $KeyFile != ""
    CreateDirectory "$APPDATA\customer-account"
    CopyFiles /SILENT "$KeyFile" "$APPDATA\customer-account\enrollment-key.txt"
    ; The user's first start deletes it once used.
    nsExec::Exec 'icacls "$APPDATA\customer-account\enrollment-key.txt" /grant *S-1-5-32-545:M'
    Pop $0
  ${EndIf}
  Call CheckWebView2
SectionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  ; Installed in either language.
  Delete "$SMPROGRAMS\Customer account.lnk"
  Delete "$SMPROGRAMS\Compte client.lnk"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  ; The machine-wide preset goes with the program. Each user's link (the token in the
  ; Credential Manager) and data folder (%LOCALAPPDATA%) stay, as Windows programs do:
  ; a reinstall finds the computer still linked.
  DeleteRegValue HKLM "${SETTINGS_KEY}" "ServiceUrl"
  Delete "$APPDATA\customer-account\enrollment-key.txt"
  RMDir "$APPDATA\customer-account"
  DeleteRegKey /ifempty HKLM "${SETTINGS_KEY}"
SectionEnd
