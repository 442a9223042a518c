/* The crm subcommands, one file each (cli/<command>.c), dispatched by
 * cli/main.c. Each takes its arguments from the command name on (argv[0] is
 * the command) and returns the exit status (errors.h). The tool uses only
 * libcrm's public API. */
#ifndef CRM_CLI_COMMANDS_H
#define CRM_CLI_COMMANDS_H

int cli_cmd_apriori(int argc, char **argv);
int cli_cmd_arima(int argc, char **argv);
int cli_cmd_clean(int argc, char **argv);
int cli_cmd_clv(int argc, char **argv);
int cli_cmd_info(int argc, char **argv);
int cli_cmd_kmeans(int argc, char **argv);
int cli_cmd_predict(int argc, char **argv);
int cli_cmd_linreg(int argc, char **argv);
int cli_cmd_logreg(int argc, char **argv);
/* crm logreg (logistic = 1) and crm linreg (0), cli/logreg.c. */
int cli_regression(int argc, char **argv, int logistic);
int cli_cmd_rfm(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_synth(int argc, char **argv);
int cli_cmd_tree(int argc, char **argv);
int cli_cmd_forest(int argc, char **argv);

#endif /* CRM_CLI_COMMANDS_H */
