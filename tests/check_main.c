/* Test runner: `crm_check [SUITE [CASE]]` runs one suite (or all) in CK_FORK
 * mode, prints Check's summary line and exits non-zero on any failure.
 * Suites named *_shared need ../shared/data and exit 77 (skipped) without it;
 * suites named *_root need root and exit 77 (skipped, with a note saying so)
 * for other users. */
#include "suites.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int has_shared_data(void)
{
    struct stat st;
    return stat(CRM_SHARED_DATA_DIR, &st) == 0 && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv)
{
    const char *want = argc > 1 ? argv[1] : NULL;
    const char *tcase = argc > 2 ? argv[2] : NULL;
    SRunner *sr = NULL;
    int found = 0;
    for (int i = 0; crm_suites[i].name; i++) {
        const char *name = crm_suites[i].name;
        if (want && strcmp(want, name) != 0)
            continue;
        size_t len = strlen(name);
        if (len > 7 && strcmp(name + len - 7, "_shared") == 0 && !has_shared_data()) {
            printf("SKIP suite %s: the shared data folder ../shared/data is not present\n", name);
            if (want)
                return 77;
            continue;
        }
        if (len > 5 && strcmp(name + len - 5, "_root") == 0 && geteuid() != 0) {
            printf("SKIP suite %s: needs root (run the suite as root to test it)\n", name);
            if (want)
                return 77;
            continue;
        }
        found++;
        if (!sr)
            sr = srunner_create(crm_suites[i].make());
        else
            srunner_add_suite(sr, crm_suites[i].make());
    }
    if (!found) {
        fprintf(stderr, "crm_check: no suite named %s\n", want ? want : "(any)");
        return 2;
    }
    srunner_run(sr, NULL, tcase, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
