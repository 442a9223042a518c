/* crm linreg FILE --target COL --features A,B.. [--l2 LAMBDA] [-o OUT] [--model M.json]
 *            [--json]: linear least squares (crm_linreg_fit) with the coefficient
 * table. The implementation is shared with crm logreg (cli/logreg.c). */
#include "commands.h"

int cli_cmd_linreg(int argc, char **argv)
{
    return cli_regression(argc, argv, 0);
}
