// libsodium as packaged by Debian (1.0.18).
#ifndef FICHIER_CSODIUM_SHIM_H
#define FICHIER_CSODIUM_SHIM_H
#include <sodium.h>
#endif
