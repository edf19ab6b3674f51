/*
 * A stand-in for bcryptprimitives.dll's ProcessPrng, for Wine 8 test prefixes only
 * (never shipped). Rust's std asks Windows for random bytes through ProcessPrng, which
 * Windows 10 and 11 have and Wine 8 lacks, so every Rust program stops at start there
 * (status c0000135). This fills the buffer through advapi32's RtlGenRandom
 * (SystemFunction036), which Wine has. Built by the Wine tests with mingw-w64.
 */
#include <windows.h>
typedef BOOLEAN (WINAPI *gen_random)(PVOID, ULONG);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    static gen_random gen;
    if (!gen) gen = (gen_random)GetProcAddress(LoadLibraryA("advapi32.dll"), "SystemFunction036");
    if (!gen) return FALSE;
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!gen(data, chunk)) return FALSE;
        data += chunk; len -= chunk;
    }
    return TRUE;
}
