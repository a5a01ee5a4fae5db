/* Sources/CSQLite/shim.h: sqlite3_db_config is variadic; Swift needs fixed types. */
#include <sqlite3.h>
static inline int csqlite_db_config_int(sqlite3 *db, int op, int value, int *result) {
    return sqlite3_db_config(db, op, value, result);
}
/* SQLITE_TRANSIENT is a function-like macro cast Swift cannot import. */
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }
