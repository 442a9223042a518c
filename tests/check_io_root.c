/* Atomic file output, the part that needs root (the runner skips this suite,
 * exit 77, for other users): writing to /dev/full fails with ENOSPC and leaves
 * the device node in place - only root may remove it, so only as root does
 * this prove that a failed write never removes its path - and a replaced
 * file keeps its owner. */
#include "io_util.h"

enum { W_CSV, W_MODEL, W_FILE, NW };

static crm_status write_to(int w, const char *path)
{
    crm_status st;
    if (w == W_CSV) {
        const char csv[] = "a,b\n1,x\n2,y\n";
        crm_dataset *ds = NULL;
        ck_assert_ok(crm_dataset_read_csv_mem(csv, sizeof csv - 1, NULL, &ds));
        st = crm_dataset_write_csv(ds, path, NULL);
        crm_dataset_free(ds);
    } else if (w == W_MODEL) {
        const double x[] = {0, 0.1, 5, 5.1};
        crm_dataset *ds = NULL;
        ck_assert_ok(crm_dataset_new(&ds));
        ck_assert_ok(crm_dataset_add_number(ds, "x", x, 4));
        crm_kmeans_options o;
        ck_assert_ok(crm_kmeans_options_init(&o, sizeof o));
        o.k = 2;
        o.n_threads = 1;
        crm_model *m = NULL;
        const char *cols[] = {"x"};
        ck_assert_ok(crm_kmeans_fit(ds, cols, 1, &o, &m));
        st = crm_model_save(m, path);
        crm_model_free(m);
        crm_dataset_free(ds);
    } else {
        st = crm_file_write(path, "some bytes\n", 11);
    }
    return st;
}

static void assert_same_node(const char *path, const struct stat *before)
{
    struct stat now;
    ck_assert_msg(lstat(path, &now) == 0, "%s is gone: %s", path, strerror(errno));
    ck_assert_msg(S_ISCHR(now.st_mode), "%s is no longer a character device", path);
    ck_assert(now.st_rdev == before->st_rdev);
    ck_assert(now.st_ino == before->st_ino);
    ck_assert_uint_eq(now.st_mode, before->st_mode);
}

START_TEST(test_dev_full_kept)
{
    ck_assert_int_eq(geteuid(), 0);
    struct stat full, null;
    ck_assert_int_eq(lstat("/dev/full", &full), 0);
    ck_assert_int_eq(lstat("/dev/null", &null), 0);
    ck_assert(S_ISCHR(full.st_mode) && S_ISCHR(null.st_mode));
    for (int w = 0; w < NW; w++) {
        crm_status st = write_to(w, "/dev/full");
        ck_assert_msg(st == CRM_E_IO, "writer %d: got %s", w, crm_status_str(st));
        ck_assert_msg(strstr(crm_last_error(), "/dev/full") &&
                          strstr(crm_last_error(), strerror(ENOSPC)),
                      "message: %s", crm_last_error());
        assert_same_node("/dev/full", &full);
        ck_assert_msg(write_to(w, "/dev/null") == CRM_OK, "writer %d: %s", w, crm_last_error());
        assert_same_node("/dev/null", &null);
    }
    /* and through a relative path from /dev */
    char cwd[1024];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir("/dev"), 0);
    crm_status st = write_to(W_CSV, "full");
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_int_eq(st, CRM_E_IO);
    assert_same_node("/dev/full", &full);
}
END_TEST

START_TEST(test_owner_kept)
{
    /* root replacing another user's file gives the new file that user and
     * group (and the mode) */
    ck_assert_int_eq(geteuid(), 0);
    for (int w = 0; w < NW; w++) {
        char dir[256], path[512];
        io_mkdtemp(dir, sizeof dir);
        io_join(path, sizeof path, dir, w == W_CSV ? "f.csv" : w == W_MODEL ? "m.json" : "f");
        io_put(path, "old\n", 4, 0640);
        ck_assert_int_eq(chown(path, 4321, 4322), 0);
        ck_assert_msg(write_to(w, path) == CRM_OK, "%s: %s", path, crm_last_error());
        struct stat sb;
        ck_assert_int_eq(stat(path, &sb), 0);
        ck_assert_uint_eq(sb.st_uid, 4321);
        ck_assert_uint_eq(sb.st_gid, 4322);
        ck_assert_uint_eq(sb.st_mode & 07777, 0640);
        size_t n = 0;
        char *got = io_get(path, &n);
        ck_assert_ptr_nonnull(got);
        ck_assert(n > 4);
        free(got);
        io_rmtree(dir);
    }
}
END_TEST

Suite *crm_io_root_suite(void)
{
    Suite *s = suite_create("io_root");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_dev_full_kept);
    tcase_add_test(tc, test_owner_kept);
    suite_add_tcase(s, tc);
    return s;
}
