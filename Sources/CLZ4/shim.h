/* Sources/CLZ4/shim.h: liblz4's block API. Swift calls it directly; nothing to wrap. */
#include <lz4.h>
