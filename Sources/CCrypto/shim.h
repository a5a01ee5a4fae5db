/* Sources/CCrypto/shim.h: OpenSSL's libcrypto, for SHA-256 only.
   The direct SHA256_Init/Update/Final calls, not the EVP API: EVP loads OpenSSL's configuration and
   its default provider on first use, about 2 MB of resident memory that policyd has no other use
   for; the direct calls run the same code (with the CPU's SHA instructions) and touch none of it.
   OpenSSL 3 marks them deprecated; the suppression keeps that notice out of every build. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
