#ifndef SWIFT_SENTINEL_COPENSSL_H
#define SWIFT_SENTINEL_COPENSSL_H

// The system's OpenSSL (Debian's libssl-dev, OpenSSL 3) for the shell's TLS, and small
// functions for what Swift cannot import: OpenSSL's function-like macros (modes, options,
// session cache settings), the key password callback, and the DH parameters decoder.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <stddef.h>

/// Protocol bits of `tls-protocols` (Redis's REDIS_TLS_PROTO_*).
#define COPENSSL_PROTOCOL_TLSV1 (1 << 0)
#define COPENSSL_PROTOCOL_TLSV1_1 (1 << 1)
#define COPENSSL_PROTOCOL_TLSV1_2 (1 << 2)
#define COPENSSL_PROTOCOL_TLSV1_3 (1 << 3)

/// Loads OpenSSL's configuration (openssl.cnf) and seeds the random generator, once per process.
void copenssl_initialize(void);

/// A context for either side with Redis's base settings: no SSLv2/SSLv3 or compression,
/// only the `protocols` bits enabled, partial writes and moving write buffers allowed, and
/// peer certificates required and verified. NULL when OpenSSL cannot allocate one.
SSL_CTX *copenssl_context_new(int protocols);

/// Loads a PEM private key; an encrypted key is decrypted with `password` (NULL: none, so
/// an encrypted key fails instead of prompting on the terminal). Returns 1 on success.
int copenssl_context_use_private_key_file(SSL_CTX *context, const char *path, const char *password);

/// The server side's session cache: on with `size` sessions kept `timeout` seconds, or off.
void copenssl_context_set_session_cache(SSL_CTX *context, int enabled, long size, long timeout);

/// The server side's options: no client-initiated renegotiation, single DH use, and the
/// server's cipher preference when `prefer_server_ciphers`.
void copenssl_context_set_server_options(SSL_CTX *context, int prefer_server_ciphers);

/// Loads DH parameters from a PEM file, or chooses them automatically when `path` is NULL.
/// On failure returns 0 and writes what went wrong (Redis's log text) into `error`.
int copenssl_context_set_dh_parameters(SSL_CTX *context, const char *path, char *error, size_t error_size);

/// Peer verification of an accepted connection (`tls-auth-clients`): 0 none, 1 optional
/// (a certificate is verified when presented), 2 required.
void copenssl_set_client_verification(SSL *ssl, int mode);

/// The oldest queued OpenSSL error as text (`ERR_error_string_n`), then clears the queue.
/// Writes an empty string and returns 0 when there is none.
unsigned long copenssl_take_error(char *buffer, size_t size);

#endif
