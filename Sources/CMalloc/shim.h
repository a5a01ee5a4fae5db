/* Sources/CMalloc/shim.h: glibc's malloc tuning (mallopt, malloc_trim), which Swift's Glibc module
 * leaves out (it does not include <malloc.h>). Nothing to wrap; part of libc, so nothing to link. */
#include <malloc.h>
