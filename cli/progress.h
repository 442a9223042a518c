/* The progress indicator of the long-running crm commands (apriori, kmeans,
 * logreg, tree): "crm CMD:  42%" on stderr, rewritten in place while the
 * library works, shown only on a terminal and wiped when the work is done.
 *
 *     cli_progress pr;
 *     if (cli_progress_init(&pr, "tree", !json)) {
 *         to.progress = cli_progress_show;
 *         to.user = &pr;
 *     }
 *     crm_status st = crm_tree_fit(..., &to, &m);
 *     cli_progress_clear(&pr);
 */
#ifndef CRM_CLI_PROGRESS_H
#define CRM_CLI_PROGRESS_H

#include <stdint.h>

typedef struct cli_progress {
    const char *cmd; /* command name shown, e.g. "tree" */
    int last;        /* percentage on screen, -1 while nothing is shown */
} cli_progress;

/* Set p up for command cmd. Returns 1 when the progress is to be shown: it is
 * wanted (not with --json, say) and stderr is a terminal; 0 otherwise. */
int cli_progress_init(cli_progress *p, const char *cmd, int wanted);

/* The library's progress callback (user: a cli_progress): shows the percentage
 * when it changed. Returns 0 (never cancels). */
int32_t cli_progress_show(double fraction, void *user);

/* Wipe the indicator from the terminal, if it is showing. */
void cli_progress_clear(cli_progress *p);

#endif /* CRM_CLI_PROGRESS_H */
