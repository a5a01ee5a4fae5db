/* Sources/CCrypto/shim.h: OpenSSL's libcrypto, for SHA-256 only (EVP digest API, which uses the CPU's SHA instructions). */
#include <openssl/evp.h>
