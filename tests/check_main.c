/* Test runner: `crm_check [SUITE [CASE]]` runs one suite (or all) in CK_FORK
 * mode, prints Check's summary line and exits non-zero on any failure.
 * Suites named *_shared need ../shared/data. Without it they are skipped: exit
 * 77 (ctest reports "Skipped", never "Passed"), also for a run of every suite
 * when one was skipped and none failed. With CI=true in the environment a
 * missing ../shared/data is a failure (exit 1): CI must run the parity suites.
 * Suites named *_root need root and exit 77 (skipped, with a note saying so)
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
    return stat(crm_test_data_dir(), &st) == 0 && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv)
{
    const char *want = argc > 1 ? argv[1] : NULL;
    const char *tcase = argc > 2 ? argv[2] : NULL;
    SRunner *sr = NULL;
    int found = 0, skipped = 0;
    for (int i = 0; crm_suites[i].name; i++) {
        const char *name = crm_suites[i].name;
        if (want && strcmp(want, name) != 0)
            continue;
        size_t len = strlen(name);
        if (len > 7 && strcmp(name + len - 7, "_shared") == 0 && !has_shared_data()) {
            if (crm_test_ci()) {
                printf("FAIL suite %s: the shared data folder %s is not present, and CI=true "
                       "requires the parity suites to run\n",
                       name, crm_test_data_dir());
                return EXIT_FAILURE;
            }
            printf("SKIP suite %s: the shared data folder %s is not present\n", name,
                   crm_test_data_dir());
            skipped++;
            if (want)
                return 77;
            continue;
        }
        if (len > 5 && strcmp(name + len - 5, "_root") == 0 && geteuid() != 0) {
            if (crm_test_ci()) {
                printf("FAIL suite %s: needs root, and CI=true requires it to run\n", name);
                return EXIT_FAILURE;
            }
            printf("SKIP suite %s: needs root (run the suite as root to test it)\n", name);
            skipped++;
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
    if (!found && skipped) {
        printf("crm_check: %d suite%s skipped, none run\n", skipped, skipped == 1 ? "" : "s");
        return 77;
    }
    if (!found) {
        fprintf(stderr, "crm_check: no suite named %s\n", want ? want : "(any)");
        return 2;
    }
    srunner_run(sr, NULL, tcase, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (failed)
        return EXIT_FAILURE;
    if (skipped) {
        printf("crm_check: %d suite%s skipped (no shared data, or not root): exit 77\n", skipped,
               skipped == 1 ? "" : "s");
        return 77;
    }
    return EXIT_SUCCESS;
}
