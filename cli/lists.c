/* Comma-separated lists on the command line (see lists.h). */
#include "lists.h"

#include "errors.h"

#include <stdlib.h>
#include <string.h>

/* Split "a,b,c" into a new array of new strings. */
int cli_split_list(const char *s, char ***out, size_t *n)
{
    size_t cnt = 1;
    for (const char *p = s; *p; p++)
        cnt += *p == ',';
    char **v = calloc(cnt, sizeof *v);
    if (!v) return -1;
    size_t i = 0;
    const char *p = s;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        v[i] = malloc(len + 1);
        if (!v[i]) {
            for (size_t j = 0; j < i; j++)
                free(v[j]);
            free(v);
            return -1;
        }
        memcpy(v[i], p, len);
        v[i][len] = '\0';
        i++;
        if (!e) break;
        p = e + 1;
    }
    *out = v;
    *n = cnt;
    return 0;
}

char *cli_split_at(const char *s, char sep, const char **rest)
{
    const char *at = strchr(s, sep);
    size_t len = (size_t)(at - s);
    char *head = malloc(len + 1);
    if (!head) return NULL;
    memcpy(head, s, len);
    head[len] = '\0';
    *rest = at + 1;
    return head;
}

void cli_free_list(char **v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int cli_target_features(const cli_args *a, const char *target, const char *featarg, char ***feats,
                        size_t *n)
{
    if (!target || !target[0]) return cli_usage(a, "--target is required");
    if (!featarg || !featarg[0]) return cli_usage(a, "--features is required");
    if (cli_split_list(featarg, feats, n)) return cli_out_of_memory();
    return 0;
}
