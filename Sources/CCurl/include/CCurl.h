/* Sources/CCurl/include/CCurl.h: libcurl's easy interface, opened with dlopen on first use.
 *
 * policyd needs libcurl only to ask a language model (LLM_BASE_URL). Linked at start, libcurl and
 * the 27 libraries it pulls in (GnuTLS, Kerberos, LDAP, SSH, ...) cost about 4.4 MB of
 * resident memory and run their constructors in every process, with or without a model. So
 * nothing here links it: ccurl_load opens libcurl.so.4 and looks up the functions below once, and
 * every other ccurl_ call goes through those pointers. <curl/curl.h> supplies the types and
 * constants only; calling a curl_ function directly would fail to link, which keeps it that way.
 *
 * The setopt wrappers also give Swift fixed argument types: the real curl_easy_setopt is variadic. */
#ifndef CCURL_H
#define CCURL_H

#include <stddef.h>
#include <curl/curl.h>

/* The shared library opened; Debian's libcurl4 package (OpenSSL flavour) provides it. */
#define CCURL_LIBRARY_NAME "libcurl.so.4"

/* Opens libcurl and resolves its functions, once per process (later calls return the first
 * result). Returns 0 on success; else 1, and ccurl_load_error() says why (dlerror's text). */
int ccurl_load(void);
const char *ccurl_load_error(void);

/* What ccurl_load does, for any library name and without keeping the result: 0 when
 * `library_name` opens and has every function used here; else 1 and the reason in `error`.
 * For tests of the failure messages (a missing library, one that is not libcurl). */
int ccurl_check_library(const char *library_name, char *error, size_t capacity);

/* Valid only after ccurl_load() returned 0. */
CURLcode ccurl_global_init(long flags);
CURL *ccurl_easy_init(void);
void ccurl_easy_cleanup(CURL *handle);
void ccurl_easy_reset(CURL *handle);
CURLcode ccurl_easy_perform(CURL *handle);
const char *ccurl_easy_strerror(CURLcode code);
struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *line);
void ccurl_slist_free_all(struct curl_slist *list);

CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value);

/* Callbacks: write and header data (CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION) and transfer
 * progress (CURLOPT_XFERINFOFUNCTION), which can abort the transfer by returning non-zero. */
typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*ccurl_progress_callback)(void *context, curl_off_t download_total, curl_off_t download_now,
                                       curl_off_t upload_total, curl_off_t upload_now);
CURLcode ccurl_setopt_data_callback(CURL *handle, CURLoption option, ccurl_data_callback callback);
CURLcode ccurl_setopt_progress_callback(CURL *handle, ccurl_progress_callback callback);

#endif
