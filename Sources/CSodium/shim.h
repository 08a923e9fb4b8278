// libsodium as packaged by Debian (1.0.18).
#ifndef FICHIER_CSODIUM_SHIM_H
#define FICHIER_CSODIUM_SHIM_H
#include <sodium.h>

#ifdef __linux__
#include <sys/prctl.h>
/// prctl is variadic, which Swift cannot call: a fixed-arity wrapper for the dumpable flag.
static inline int fichier_set_dumpable(int dumpable) {
    return prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL);
}
static inline int fichier_get_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
}
#endif

#endif
