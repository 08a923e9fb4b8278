/* The raw limit for row 3: a file read in 64 KiB chunks, each sealed with libsodium's
 * ChaCha20-Poly1305 (IETF) under a counter nonce as age v1 does (11-byte big-endian counter,
 * then a last-chunk flag), written to stdout. No header, no key derivation: just the AEAD loop.
 *
 * usage: chacha-raw FILE > /dev/null    (built by benchmarks/run with gcc -O2 -lsodium)
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 65536

static int write_all(int fd, const unsigned char *data, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        data += written;
        length -= (size_t)written;
    }
    return 0;
}

/* Fills the buffer unless the file ends first; returns the count, or -1. */
static ssize_t read_full(int fd, unsigned char *buffer, size_t length) {
    size_t filled = 0;
    while (filled < length) {
        ssize_t count = read(fd, buffer + filled, length - filled);
        if (count < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (count == 0) break;
        filled += (size_t)count;
    }
    return (ssize_t)filled;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE > OUTPUT\n", argv[0]);
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "libsodium failed to initialise\n");
        return 1;
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    static unsigned char plain[2][CHUNK];
    static unsigned char sealed[CHUNK + crypto_aead_chacha20poly1305_ietf_ABYTES];
    unsigned char key[crypto_aead_chacha20poly1305_ietf_KEYBYTES];
    unsigned char nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {0};
    randombytes_buf(key, sizeof key);

    /* One chunk of look-ahead, to know which chunk is the last (its nonce is flagged). */
    int current = 0;
    ssize_t length = read_full(fd, plain[current], CHUNK);
    if (length < 0) goto failed;
    for (;;) {
        ssize_t next = 0;
        if (length == CHUNK) {
            next = read_full(fd, plain[1 - current], CHUNK);
            if (next < 0) goto failed;
        }
        int last = next == 0;
        nonce[11] = last ? 1 : 0;
        unsigned long long sealed_length = 0;
        crypto_aead_chacha20poly1305_ietf_encrypt(sealed, &sealed_length, plain[current], (unsigned long long)length,
                                                  NULL, 0, NULL, nonce, key);
        if (write_all(STDOUT_FILENO, sealed, (size_t)sealed_length) < 0) {
            fprintf(stderr, "write: %s\n", strerror(errno));
            return 1;
        }
        if (last) break;
        for (int i = 10; i >= 0; i--) {
            if (++nonce[i] != 0) break;
        }
        current = 1 - current;
        length = next;
    }
    close(fd);
    return 0;

failed:
    fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
    return 1;
}
