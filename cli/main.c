/* crm: the libcrm command-line tool. A thin layer over the public API:
 * it parses arguments, calls the library and prints results.
 * Exit status: 0 success, 1 bad input (library error), 2 usage error. */
#include "args.h"
#include "commands.h"
#include "csvflags.h"
#include "errors.h"

#include "crm/common.h"
#include "crm/version.h"

#include <stdio.h>
#include <string.h>

static const char main_usage[] = "crm <command> [options]   (crm --help lists the commands)";

static void main_help(void)
{
    printf("usage: crm <command> [options]\n\n"
           "Customer analytics on CSV files, built on libcrm %s.\n\n"
           "Commands:\n"
           "  apriori FILE   frequent itemsets and association rules (what sells together)\n"
           "  arima FILE     forecast a series per day/week/month with (seasonal) ARIMA\n"
           "  info FILE      rows, columns, inferred types, missing values and summary\n"
           "                 statistics of a CSV file (--json for machine-readable output)\n"
           "  clean FILE     filter, derive, deduplicate, impute and tame outliers\n"
           "  clv FILE       customer lifetime value: P(alive), expected purchases and\n"
           "                 CLV per customer (BG/NBD + Gamma-Gamma) from transactions\n"
           "  forest FILE    random forest (churn, lead scoring) with out-of-bag error and\n"
           "                 feature importances\n"
           "  kmeans FILE    k-means segmentation of customers (or any numeric rows)\n"
           "  linreg FILE    linear regression with t statistics, p-values, R^2\n"
           "  logreg FILE    logistic regression (churn, lead scoring) with odds ratios,\n"
           "                 p-values and 95%% intervals\n"
           "  predict MODEL.json FILE\n"
           "                 apply a saved model to the rows of a file\n"
           "  report FILE    one self-contained HTML report: segments, clusters, churn\n"
           "                 risk, cross-sell and forecast, with charts\n"
           "  rfm FILE       per-customer recency, frequency, monetary scores, segments\n"
           "                 and lifecycle stages from transaction lines\n"
           "  synth          generate realistic, deterministic shop transactions as CSV\n"
           "  tree FILE      CART decision tree (churn rules) with readable if/then rules\n\n"
           "Options:\n"
           "  -h, --help     show this help; 'crm <command> --help' shows a command's options\n"
           "  --version      show the versions of crm and of the libcrm library it uses\n\n"
           "CSV flags (accepted by every command that reads or writes CSV):\n%s\n"
           "Exit status: 0 success, 1 bad input (the message names the problem),\n"
           "2 usage error.\n",
           crm_version(), cli_csvflags_help);
}

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"apriori", cli_cmd_apriori},
    {"arima", cli_cmd_arima},
    {"clean", cli_cmd_clean},
    {"clv", cli_cmd_clv},
    {"forest", cli_cmd_forest},
    {"info", cli_cmd_info},
    {"kmeans", cli_cmd_kmeans},
    {"linreg", cli_cmd_linreg},
    {"logreg", cli_cmd_logreg},
    {"predict", cli_cmd_predict},
    {"report", cli_cmd_report},
    {"rfm", cli_cmd_rfm},
    {"synth", cli_cmd_synth},
    {"tree", cli_cmd_tree},
};

int main(int argc, char **argv)
{
    cli_args a;
    cli_args_init(&a, argc, argv, NULL, main_usage);
    if (argc < 2) return cli_usage(&a, "missing command");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("crm %s (libcrm %s)\n", CRM_VERSION_STRING, crm_version());
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_INPUT;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        if (strcmp(cmd, "help") == 0 && argc > 2) {
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
                if (strcmp(argv[2], commands[i].name) == 0) {
                    char help[] = "--help";
                    char *sub[] = {argv[2], help, NULL};
                    return commands[i].run(2, sub);
                }
            }
            return cli_usage(&a, "unknown command \"%s\"", argv[2]);
        }
        main_help();
        return CLI_EXIT_OK;
    }
    if (cmd[0] == '-') return cli_usage(&a, "unknown option %s (a command comes first)", cmd);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(cmd, commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    }
    return cli_usage(&a, "unknown command \"%s\"", cmd);
}
