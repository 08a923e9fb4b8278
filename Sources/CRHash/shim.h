// librhash, used for Whirlpool, the only checksum 1fichier reports.
#ifndef FICHIER_CRHASH_SHIM_H
#define FICHIER_CRHASH_SHIM_H
#include <rhash.h>

/// rhash_update is a macro-free function, but the hash ids are enum values; keep one constant here.
static const unsigned fichier_rhash_whirlpool = RHASH_WHIRLPOOL;
#endif
