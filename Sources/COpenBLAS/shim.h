/* Sources/COpenBLAS/shim.h: OpenBLAS's CBLAS interface (cblas_sgemm) and its thread-count setter.
   Debian's libopenblas-dev; headers under /usr/include/x86_64-linux-gnu/openblas-pthread/ (pkg-config openblas). */
#include <cblas.h>
