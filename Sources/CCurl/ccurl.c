/* Sources/CCurl/ccurl.c: libcurl through dlopen (why: include/CCurl.h). */
#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* libcurl's functions, as looked up in the opened library. */
struct curl_functions {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
};

static struct curl_functions curl;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_status = 1;
static char load_error[512] = "libcurl was not loaded";

/* Looks up `name` in `library`; on failure writes why to `error` and returns NULL. */
static void *symbol(void *library, const char *library_name, const char *name, char *error, size_t capacity) {
    dlerror();
    void *address = dlsym(library, name);
    if (address == NULL) {
        const char *reason = dlerror();
        snprintf(error, capacity, "%s has no %s (%s)", library_name, name, reason ? reason : "a null symbol");
    }
    return address;
}

/* Opens `library_name` and fills `functions`. Returns the library's handle (kept open: libcurl's
 * global state must never be unloaded), or NULL with the reason in `error`. */
static void *open_curl(const char *library_name, struct curl_functions *functions, char *error, size_t capacity) {
    /* RTLD_LOCAL: libcurl's symbols stay out of the global namespace; nothing else binds to them. */
    void *library = dlopen(library_name, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(error, capacity, "%s", reason ? reason : "dlopen failed");
        return NULL;
    }
    /* The assignment through void ** is how POSIX's dlsym page converts to a function pointer. */
#define LOOK_UP(field, name) \
    if (!(*(void **)&functions->field = symbol(library, library_name, name, error, capacity))) { \
        dlclose(library); \
        return NULL; \
    }
    LOOK_UP(global_init, "curl_global_init")
    LOOK_UP(easy_init, "curl_easy_init")
    LOOK_UP(easy_cleanup, "curl_easy_cleanup")
    LOOK_UP(easy_reset, "curl_easy_reset")
    LOOK_UP(easy_perform, "curl_easy_perform")
    LOOK_UP(easy_strerror, "curl_easy_strerror")
    LOOK_UP(slist_append, "curl_slist_append")
    LOOK_UP(slist_free_all, "curl_slist_free_all")
    LOOK_UP(easy_setopt, "curl_easy_setopt")
#undef LOOK_UP
    return library;
}

static void load(void) {
    if (open_curl(CCURL_LIBRARY_NAME, &curl, load_error, sizeof load_error) != NULL) {
        load_status = 0;
        load_error[0] = '\0';
    }
}

int ccurl_load(void) {
    pthread_once(&load_once, load);
    return load_status;
}

int ccurl_check_library(const char *library_name, char *error, size_t capacity) {
    struct curl_functions functions;
    void *library = open_curl(library_name, &functions, error, capacity);
    if (library == NULL) return 1;
    dlclose(library);
    return 0;
}

const char *ccurl_load_error(void) { return load_error; }

CURLcode ccurl_global_init(long flags) { return curl.global_init(flags); }
CURL *ccurl_easy_init(void) { return curl.easy_init(); }
void ccurl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }
void ccurl_easy_reset(CURL *handle) { curl.easy_reset(handle); }
CURLcode ccurl_easy_perform(CURL *handle) { return curl.easy_perform(handle); }
const char *ccurl_easy_strerror(CURLcode code) { return curl.easy_strerror(code); }
struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *line) { return curl.slist_append(list, line); }
void ccurl_slist_free_all(struct curl_slist *list) { curl.slist_free_all(list); }

CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value) { return curl.easy_setopt(handle, option, value); }
CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value) { return curl.easy_setopt(handle, option, value); }
CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value) { return curl.easy_setopt(handle, option, value); }
CURLcode ccurl_setopt_data_callback(CURL *handle, CURLoption option, ccurl_data_callback callback) {
    return curl.easy_setopt(handle, option, callback);
}
CURLcode ccurl_setopt_progress_callback(CURL *handle, ccurl_progress_callback callback) {
    return curl.easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}
