/* Sources/CCmark/shim.h: GitHub-flavoured Markdown (cmark-gfm) with its table extension. Only IndexCompiler imports it. */
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
