/* Values on the command line and in printed output: whole-string parses of
 * numbers and dates, and times and numbers formatted for people. */
#ifndef CRM_CLI_VALUES_H
#define CRM_CLI_VALUES_H

#include <stddef.h>
#include <stdint.h>

/* Whole-string parses; return 0 on success, -1 when s is not a valid value. */
int cli_parse_int64(const char *s, int64_t *out);
int cli_parse_uint64(const char *s, uint64_t *out);
int cli_parse_double(const char *s, double *out);
/* "YYYY-MM-DD" to seconds since the epoch (UTC midnight). */
int cli_parse_date(const char *s, int64_t *out);

/* Seconds since the epoch as "YYYY-MM-DD HH:MM:SS" (buf >= 32 bytes). */
void cli_format_time(int64_t t, char *buf, size_t size);
/* The day of cli_format_time(): "YYYY-MM-DD" (buf >= 11 bytes). */
void cli_format_date(int64_t t, char *buf, size_t size);
/* A number for people: integers without a fraction, others with 6
 * significant digits (no exponent between 1e-4 and 1e15); "-" for NaN. */
void cli_format_number(double v, char *buf, size_t size);

#endif /* CRM_CLI_VALUES_H */
