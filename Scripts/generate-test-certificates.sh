#!/usr/bin/env bash
# Makes a throw-away certificate set for the TLS tests and benchmarks (never committed):
#
#   Scripts/generate-test-certificates.sh DIR
#
#   DIR/ca.{crt,key}         a self-signed test CA
#   DIR/server.{crt,key}     signed by the CA, for servers (serverAuth), CN "Server-only"
#   DIR/client.{crt,key}     signed by the CA, for clients (clientAuth), CN "Client-only"
#   DIR/redis.{crt,key}      signed by the CA, no usage restriction, CN "Generic-cert"
#   DIR/rotated.{crt,key}    like redis.*, CN "Rotated-cert" (a certificate to swap in)
#   DIR/other-ca.{crt,key}   a second CA nobody trusts
#   DIR/untrusted.{crt,key}  signed by other-ca, no usage restriction, CN "Untrusted-cert"
#   DIR/redis.dh             DH parameters (the RFC 7919 group ffdhe2048)
#
# Every key is EC P-256 (fast to make) and every certificate names 127.0.0.1 and localhost
# as subject alternative names. Needs the openssl command.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

ca() {
    key "$1"
    openssl req -x509 -new -sha256 -key "$1.key" -days 3650 -subj "/O=swift-sentinel test/CN=$2" -out "$1.crt"
}

# certificate NAME CN CA USAGE
certificate() {
    key "$1"
    cat >"$1.ext" <<_END_
subjectAltName = IP:127.0.0.1, DNS:localhost
keyUsage = digitalSignature, keyEncipherment
${4:+extendedKeyUsage = $4}
_END_
    openssl req -new -sha256 -key "$1.key" -subj "/O=swift-sentinel test/CN=$2" |
        openssl x509 -req -sha256 -CA "$3.crt" -CAkey "$3.key" -CAcreateserial -days 365 \
            -extfile "$1.ext" -out "$1.crt" 2>/dev/null
    rm -f "$1.ext"
}

ca ca "Certificate Authority"
ca other-ca "Other Certificate Authority"
certificate server Server-only ca serverAuth
certificate client Client-only ca clientAuth
certificate redis Generic-cert ca ""
certificate rotated Rotated-cert ca ""
certificate untrusted Untrusted-cert other-ca ""
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out redis.dh 2>/dev/null
