/* The progress indicator of the long-running commands (see progress.h). */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cli_progress_init(cli_progress *p, const char *cmd, int wanted)
{
    p->cmd = cmd;
    p->last = -1;
    return wanted && isatty(2);
}

int32_t cli_progress_show(double fraction, void *user)
{
    cli_progress *p = user;
    int pct = (int)(fraction * 100);
    if (pct != p->last) {
        p->last = pct;
        fprintf(stderr, "\rcrm %s: %3d%%", p->cmd, pct);
        fflush(stderr);
    }
    return 0;
}

void cli_progress_clear(cli_progress *p)
{
    if (p->last < 0) return;
    /* one column wider than the widest line shown, "crm CMD: 100%" */
    int width = (int)strlen(p->cmd) + 11;
    fprintf(stderr, "\r%*s\r", width, "");
    fflush(stderr);
    p->last = -1;
}
