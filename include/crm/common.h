/**
 * @file crm/common.h
 * @brief Conventions shared by every libcrm module: export macro, status codes,
 *        thread-local error messages, memory, allocator and versions.
 *
 * Error model. Every fallible function returns a ::crm_status: CRM_OK (0) on
 * success, a negative CRM_E_* code on failure. On failure the function also
 * stores a human-readable message for the calling thread, available from
 * crm_last_error(), that names the argument, column, line or value at fault.
 * A failed call leaks nothing and leaves its input handles exactly as they
 * were.
 *
 * Outputs after a failure. When a function returns any status other than
 * CRM_OK, whatever the cause (a NULL or bad argument, a missing column, a
 * cancelled callback, an allocation failure), its output parameters hold:
 * - a pointer output (a new handle `crm_x **`, an owned string `char **`, a
 *   borrowed string `const char **`): NULL, so freeing it is always safe;
 * - a number output (`size_t *`, `int32_t *`, `int64_t *` holding one
 *   value): 0; a `double *` holding one value: NaN;
 * - an array the caller provides for the function to fill (`double *out`
 *   with its element count): exactly what it held before; no element is
 *   written.
 * Outputs passed as NULL where the function allows it are simply skipped.
 * A binding therefore never reads a stale or uninitialised output, and a C
 * caller may free pointer outputs unconditionally after any call.
 *
 * Output parameters. A parameter through which a function hands back a
 * result - a new handle (`crm_x **`), an owned or borrowed string (`char **`,
 * `const char **`), a number or an array the function fills (`T *`) - is
 * named `out` when it is the only result and `out_<what>` otherwise
 * (crm_apriori(..., out_itemsets, out_rules), crm_clean_dedup(...,
 * out_removed)); no other parameter has such a name (the name of a column
 * to create is an input: crm_model_predict()'s pred_col). bindings/gen.py
 * enforces this, so every binding can tell results from arguments by name.
 *
 * Options structs. Tunable calls take `const crm_X_options *opts` (NULL means
 * defaults). The first member is `size_t size`. Initialise with
 * `crm_X_options_init(&o, sizeof o)`: the size passed is the size of the
 * struct *as your program was compiled*, so an older program running against
 * a newer library never has bytes written past its struct. The library then
 * copies min(o.size, its own size) bytes over its defaults; a struct larger
 * than the library knows is accepted only when its unknown tail is all zero,
 * otherwise the call fails with CRM_E_FORMAT ("option field at offset N is not
 * supported by libcrm X.Y"). A size smaller than the first published layout
 * is CRM_E_INVALID. Structs only ever grow at the end within a major version.
 *
 * Threads. A handle may be used from any thread. A function that takes a
 * `const` handle only reads it, so several threads may read one handle at
 * once; a function that changes a handle (the in-place operations below and
 * the *_free functions) needs it to itself: no other thread may use that
 * handle during the call. Distinct handles are independent. The library
 * never prints, exits or aborts, and keeps no global state besides the
 * optional allocator.
 *
 * Values and in-place operations. Datasets are values: every function that
 * hands back a dataset (crm_dataset_select(), _sort(), _head(), _filter(),
 * _group(), _join(), _describe(), _clone(), the readers, every analysis and
 * model table) creates a new one and never changes the datasets it reads,
 * which it takes as `const crm_dataset *`. Exactly these functions change a
 * dataset in place (they take it as `crm_dataset *`):
 * - crm_dataset_add_number(), crm_dataset_add_text(),
 *   crm_dataset_add_time(): append a column;
 * - crm_dataset_drop_column(), crm_dataset_rename_column(): remove or
 *   rename a column;
 * - crm_dataset_mutate(): append a computed column, or replace one;
 * - crm_clean_dedup(), crm_clean_drop_missing(): remove rows;
 * - crm_clean_impute(): fill the missing cells of a column;
 * - crm_clean_outliers(): append a flag column (FLAG), remove rows (DROP)
 *   or change cells (CLIP);
 * - crm_clean_convert(): change the type of a column;
 * - crm_model_predict(): append the prediction column(s).
 * Each of them is all-or-nothing: a failed call, whatever the cause (bad
 * input, out of memory), leaves every column name, type, cell, missing flag
 * and text dictionary of the dataset exactly as it was. A change never shows
 * in another dataset, even one that shares a text dictionary with it (a
 * clone, a selection). Strings borrowed from a dataset (column names, text
 * cells, dictionary entries) stay valid until the dataset is changed by one
 * of these functions or freed. crm_dataset_free() ends a dataset. While a
 * call with a progress callback runs, its input datasets are in use: each of
 * the functions above refuses them with CRM_E_STATE (crm_dataset_free(),
 * "In use"). Models
 * never change after they are created.
 *
 * Files written atomically. Every function that writes a file
 * (crm_dataset_write_csv(), crm_model_save(), crm_file_write()) either
 * replaces it as a whole or leaves it exactly as it was. A regular file, new
 * or existing, is written to a temporary file created next to it (".NAME."
 * and 8 letters, with O_EXCL), flushed to disk (fsync), given the permission
 * bits and, where allowed, the owner of the file it replaces (a new file gets
 * 0666 minus the umask, as with fopen()), and renamed over it only when every
 * byte was written. When the path is a symbolic link the file it points to is
 * replaced and the link stays. On any failure the temporary is removed: an
 * existing file keeps its bytes and mode, and no new file appears. Special
 * files - devices such as /dev/null, FIFOs, sockets - are written directly,
 * never replaced or removed; a write error there is still an error. So are
 * the names of open descriptors (/dev/stdout, /dev/stderr, /dev/fd/N,
 * /proc/self/fd/N): they are written through the descriptor, sharing its
 * offset, even when it has a regular file open. A directory is refused. Hard
 * links to a replaced file keep the old bytes.
 */
#ifndef CRM_COMMON_H
#define CRM_COMMON_H

#ifndef CRM_BINDGEN
#include <stddef.h>
#include <stdint.h>
#endif

#include "crm/version.h"

#ifdef __cplusplus
#define CRM_BEGIN_DECL extern "C" {
#define CRM_END_DECL }
#else
#define CRM_BEGIN_DECL
#define CRM_END_DECL
#endif

#if defined(CRM_BINDGEN)
#define CRM_API
#elif defined(_WIN32) && !defined(CRM_STATIC)
#if defined(CRM_BUILDING)
#define CRM_API __declspec(dllexport)
#else
#define CRM_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define CRM_API __attribute__((visibility("default")))
#else
#define CRM_API
#endif

CRM_BEGIN_DECL

/**
 * Result of every fallible call. Values are pinned and only ever appended.
 * @type[enum] crm_status
 */
typedef enum crm_status {
    CRM_OK = 0,           /**< success */
    CRM_E_INVALID = -1,   /**< bad argument (NULL, out of range, wrong length) */
    CRM_E_NOMEM = -2,     /**< an allocation failed */
    CRM_E_IO = -3,        /**< a file could not be opened, read or written */
    CRM_E_PARSE = -4,     /**< malformed input text (CSV, expression, JSON) */
    CRM_E_NOTFOUND = -5,  /**< unknown column, statistic or key */
    CRM_E_TYPE = -6,      /**< wrong column type or model kind */
    CRM_E_NUMERIC = -7,   /**< singular, non-finite or otherwise unfittable */
    CRM_E_STATE = -8,     /**< call not allowed in the current state */
    CRM_E_FORMAT = -9,    /**< unsupported file, model or options version */
    CRM_E_CANCELLED = -10, /**< a progress callback asked to stop */
    CRM_E_UNSUPPORTED = -11 /**< an optional component (a database client library
                                 opened at run time) is not installed; the message
                                 names the package to install */
} crm_status;

/**
 * Allocation function used by every allocation of the library.
 * @param[in] size  bytes wanted (never 0)
 * @param[in] user  the pointer given to crm_set_allocator()
 * @return the block, or NULL when out of memory
 */
typedef void *(*crm_malloc_fn)(size_t size, void *user);

/**
 * Reallocation function; same contract as realloc() with a non-NULL block and
 * a non-zero size.
 * @param[in] ptr   block from crm_malloc_fn or crm_realloc_fn
 * @param[in] size  new size in bytes (never 0)
 * @param[in] user  the pointer given to crm_set_allocator()
 * @return the moved or grown block, or NULL (then ptr is still valid)
 */
typedef void *(*crm_realloc_fn)(void *ptr, size_t size, void *user);

/**
 * Release function; never called with NULL.
 * @param[in] ptr   block to release
 * @param[in] user  the pointer given to crm_set_allocator()
 */
typedef void (*crm_free_fn)(void *ptr, void *user);

/**
 * Progress callback: the type of the `progress` field of every options struct
 * that has one (crm_kmeans_options, crm_tree_options, crm_logreg_options,
 * crm_apriori_options, crm_arima_options, crm_sql_options), passed `user` from
 * the same struct. NULL (the default) means no callback.
 *
 * When: now and then during a long call (after an iteration, a chunk of
 * series, a settled leaf or a mined subtree: each options field says when),
 * with fraction rising from 0 towards 1; it need not reach 1.
 * Thread: always on the thread that made the libcrm call, never on a worker
 * thread, so it may use thread-local state.
 * Datasets: the call it reports on holds its input dataset(s) until it
 * returns (crm_dataset_free(), "In use"). The callback may read them (even
 * fit on them), and may free them with crm_dataset_free(): the handle ends
 * for the caller, the storage is freed when the running call returns, and
 * that call finishes on the same data. It may not change them: every in-place
 * function (below) returns CRM_E_STATE for a dataset in use. Other handles
 * the call uses (options, strings, a model being fitted) must not be freed
 * or changed.
 * Return: 0 to go on; any non-zero value cancels: the call stops at the next
 * check, frees what it built, sets its outputs as after any failure and
 * returns CRM_E_CANCELLED ("...: cancelled by the progress callback").
 * A callback must return normally: a binding that runs code able to throw
 * catches the exception, returns non-zero and re-raises it after the call.
 * @param[in] fraction  work done so far, in [0, 1]
 * @param[in] user      the options struct's `user` pointer
 * @return 0 to continue, non-zero to cancel with CRM_E_CANCELLED
 * @since 1.1
 */
typedef int32_t (*crm_progress_fn)(double fraction, void *user);

/**
 * Name of a status code, e.g. "CRM_E_PARSE".
 * @param[in] status  any value; unknown values give "CRM_E_UNKNOWN"
 * @return a static string, never NULL (cannot fail).
 * Ownership: library; never free it.
 * Thread-safety: safe from any thread.
 */
CRM_API const char *crm_status_str(crm_status status);

/**
 * Message describing the calling thread's last failed libcrm call, e.g.
 * `orders.csv:1043:4: column "Quantity": "12x" is not a number`.
 * Successful calls do not clear it.
 * @return the message; "" when no call has failed in this thread. Never NULL
 *         (cannot fail).
 * Ownership: borrowed; valid until the calling thread's next libcrm call
 * (copy it at once).
 * Thread-safety: each thread sees its own message.
 */
CRM_API const char *crm_last_error(void);

/**
 * Release a string or buffer that libcrm allocated and handed out (for
 * example by crm_dataset_to_csv_string()). Uses the allocator in force.
 * @param[in] p  block to release; NULL is a harmless no-op
 * Cannot fail.
 * Ownership: p is released and must not be used afterwards; never pass a
 * handle (use its *_free function) or memory libcrm did not allocate.
 * Thread-safety: safe from any thread; no other thread may use p meanwhile.
 */
CRM_API void crm_free(void *p);

/**
 * Route every allocation of the library through caller-supplied functions
 * (for arenas, accounting or failure injection). Call it at start-up: it is
 * refused while any block allocated by libcrm is still alive (handles,
 * strings). Pass three NULLs to restore the C library's malloc/realloc/free.
 * @param[in] malloc_fn   allocation function, or NULL (with the other two NULL)
 * @param[in] realloc_fn  reallocation function, or NULL (with the others NULL)
 * @param[in] free_fn     release function, or NULL (with the others NULL)
 * @param[in] user        passed back to the three functions
 * @return CRM_OK; CRM_E_INVALID (only some of the functions are NULL);
 *         CRM_E_STATE (libcrm memory is still allocated).
 * Ownership: the library keeps the three function pointers and user until the
 * next call; user stays the caller's and must stay valid while libcrm uses it.
 * Thread-safety: not safe while other threads use libcrm.
 */
CRM_API crm_status crm_set_allocator(crm_malloc_fn malloc_fn, crm_realloc_fn realloc_fn,
                                     crm_free_fn free_fn, void *user);

/**
 * Write bytes to a file atomically (see "Files written atomically" above):
 * afterwards path holds exactly these bytes, or, on failure, what it held
 * before. Opening a FIFO waits for a reader, as fopen() does.
 * @param[in] path  file to write; its directory must exist
 * @param[in] data  the bytes (any values, NUL included); may be NULL when len is 0
 * @param[in] len   number of bytes
 * @return CRM_OK; CRM_E_INVALID (path is NULL, or data is NULL with len > 0);
 *         CRM_E_IO (the file or its temporary cannot be created, written,
 *         synced or renamed - the message names path and the system's reason,
 *         e.g. "out.txt: cannot write: No space left on device"); CRM_E_NOMEM.
 * Ownership: path and data stay the caller's.
 * Thread-safety: safe from any thread; two calls writing the same path each
 * write a whole file and the last one to finish wins.
 */
CRM_API crm_status crm_file_write(const char *path, const char *data, size_t len);

/**
 * Version of the loaded library as "MAJOR.MINOR.PATCH".
 * @return a static string, never NULL (cannot fail).
 * Ownership: library; never free it.
 * Thread-safety: safe from any thread.
 */
CRM_API const char *crm_version(void);

/**
 * Version of the loaded library as MAJOR * 10000 + MINOR * 100 + PATCH; compare
 * with CRM_VERSION_NUMBER from the header you compiled against.
 * @return the version number (cannot fail)
 * Ownership: nothing changes hands.
 * Thread-safety: safe from any thread.
 */
CRM_API int32_t crm_version_number(void);

CRM_END_DECL

#endif /* CRM_COMMON_H */
