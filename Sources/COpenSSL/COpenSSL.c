#include "COpenSSL.h"
#include <openssl/rand.h>
#include <openssl/decoder.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

void copenssl_initialize(void) {
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL);
    RAND_poll();
}

SSL_CTX *copenssl_context_new(int protocols) {
    SSL_CTX *context = SSL_CTX_new(TLS_method());
    if (!context) return NULL;
    uint64_t options = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION | SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS;
    if (!(protocols & COPENSSL_PROTOCOL_TLSV1)) options |= SSL_OP_NO_TLSv1;
    if (!(protocols & COPENSSL_PROTOCOL_TLSV1_1)) options |= SSL_OP_NO_TLSv1_1;
    if (!(protocols & COPENSSL_PROTOCOL_TLSV1_2)) options |= SSL_OP_NO_TLSv1_2;
    if (!(protocols & COPENSSL_PROTOCOL_TLSV1_3)) options |= SSL_OP_NO_TLSv1_3;
    SSL_CTX_set_options(context, options);
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* One read(2) takes whatever the socket holds, not a record header and then its body:
       half the read calls on a busy connection (the session reports what it holds with
       SSL_has_pending, which counts read-ahead bytes too). */
    SSL_CTX_set_read_ahead(context, 1);
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    return context;
}

/// Hands OpenSSL the configured password (Redis's tlsPasswordCallback): none, or one longer
/// than OpenSSL's buffer, fails the load.
static int password_callback(char *buffer, int size, int rwflag, void *userdata) {
    (void)rwflag;
    const char *password = userdata;
    if (!password) return -1;
    size_t length = strlen(password);
    if (length > (size_t)size) return -1;
    memcpy(buffer, password, length);
    return (int)length;
}

int copenssl_context_use_private_key_file(SSL_CTX *context, const char *path, const char *password) {
    // The callback runs only inside the load below, so the password needs to live no longer.
    SSL_CTX_set_default_passwd_cb(context, password_callback);
    SSL_CTX_set_default_passwd_cb_userdata(context, (void *)password);
    int result = SSL_CTX_use_PrivateKey_file(context, path, SSL_FILETYPE_PEM);
    SSL_CTX_set_default_passwd_cb_userdata(context, NULL);
    return result > 0 ? 1 : 0;
}

void copenssl_context_set_session_cache(SSL_CTX *context, int enabled, long size, long timeout) {
    if (enabled) {
        SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_SERVER);
        SSL_CTX_sess_set_cache_size(context, size);
        SSL_CTX_set_timeout(context, timeout);
        SSL_CTX_set_session_id_context(context, (const unsigned char *)"redis", 5);
    } else {
        SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
    }
}

void copenssl_context_set_server_options(SSL_CTX *context, int prefer_server_ciphers) {
    uint64_t options = SSL_OP_SINGLE_DH_USE;
#ifdef SSL_OP_NO_CLIENT_RENEGOTIATION
    options |= SSL_OP_NO_CLIENT_RENEGOTIATION;
#endif
    if (prefer_server_ciphers) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
    SSL_CTX_set_options(context, options);
}

int copenssl_context_set_dh_parameters(SSL_CTX *context, const char *path, char *error, size_t error_size) {
    if (!path) {
        SSL_CTX_set_dh_auto(context, 1);
        return 1;
    }
    FILE *file = fopen(path, "r");
    if (!file) {
        snprintf(error, error_size, "Failed to load %s: %s", path, strerror(errno));
        return 0;
    }
    EVP_PKEY *key = NULL;
    OSSL_DECODER_CTX *decoder = OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", NULL, "DH",
                                                              OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS, NULL, NULL);
    if (!decoder) {
        fclose(file);
        snprintf(error, error_size, "No decoder for DH params.");
        return 0;
    }
    int decoded = OSSL_DECODER_from_fp(decoder, file);
    OSSL_DECODER_CTX_free(decoder);
    fclose(file);
    if (!decoded) {
        snprintf(error, error_size, "%s: failed to read DH params.", path);
        return 0;
    }
    if (SSL_CTX_set0_tmp_dh_pkey(context, key) <= 0) {
        char reason[256];
        ERR_error_string_n(ERR_get_error(), reason, sizeof(reason));
        snprintf(error, error_size, "Failed to load DH params file: %s: %s", path, reason);
        EVP_PKEY_free(key);
        return 0;
    }
    return 1;  // the context owns the key now
}

void copenssl_set_client_verification(SSL *ssl, int mode) {
    switch (mode) {
    case 0: SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL); break;
    case 1: SSL_set_verify(ssl, SSL_VERIFY_PEER, NULL); break;
    default: SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL); break;
    }
}

unsigned long copenssl_take_error(char *buffer, size_t size) {
    unsigned long code = ERR_get_error();
    if (size > 0) buffer[0] = 0;
    if (code != 0) ERR_error_string_n(code, buffer, size);
    ERR_clear_error();
    return code;
}
