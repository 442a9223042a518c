/**
 * @file crm.h
 * @brief libcrm umbrella header: include this one.
 *
 * libcrm brings customer analytics into any program through a stable C ABI.
 * This header includes every public header, in this order:
 * - crm/common.h: status codes, thread-local error messages, memory and the
 *   allocator, atomic file writing, versions (crm/version.h), and the
 *   conventions every module follows (options structs, threads, values and
 *   in-place operations);
 * - crm/dataset.h: datasets of typed columns; CSV and basket files; select,
 *   sort, head, describe, filter and mutate (expressions), group and join;
 * - crm/clean.h: cleaning a dataset in place: duplicates, missing values,
 *   imputation, outliers, type conversion;
 * - crm/rfm.h: RFM scores, segments and lifecycle stages per customer, churn
 *   tables; Net Promoter Score, satisfaction ratio, funnel conversion;
 * - crm/model.h: the handle of every fitted model: predict, summary, named
 *   statistics, JSON save and load;
 * - crm/kmeans.h: k-means segmentation, the elbow table, the silhouette score;
 * - crm/tree.h: CART decision trees (classification and regression), pruning,
 *   rules and Graphviz output;
 * - crm/linear.h: logistic regression (churn) and linear regression, with
 *   standard errors and p-values;
 * - crm/metrics.h: classification and regression metrics of predictions;
 * - crm/arima.h: ARIMA and seasonal ARIMA forecasting, automatic order
 *   selection, many series at once;
 * - crm/assoc.h: market-basket analysis: frequent itemsets and association
 *   rules;
 * - crm/sql.h: SQL databases (SQLite, PostgreSQL, MySQL/MariaDB): read a
 *   query into a dataset, write a dataset into a table;
 * - crm/clv.h: customer lifetime value: the summary table, BG/NBD and
 *   Gamma-Gamma, P(alive), expected purchases and CLV;
 * - crm/report.h: one self-contained HTML report of a shop (segments,
 *   clusters, churn risk, cross-sell, forecast);
 * - crm/stats.h: mergeable statistics for running analyses over partitions;
 * - crm/synth.h: deterministic synthetic shop transactions.
 */
#ifndef CRM_H
#define CRM_H

#include "crm/common.h"
#include "crm/dataset.h"
#include "crm/clean.h"
#include "crm/rfm.h"
#include "crm/model.h"
#include "crm/kmeans.h"
#include "crm/tree.h"
#include "crm/linear.h"
#include "crm/metrics.h"
#include "crm/arima.h"
#include "crm/assoc.h"
#include "crm/sql.h"
#include "crm/clv.h"
#include "crm/report.h"
#include "crm/stats.h"
#include "crm/synth.h"

#endif /* CRM_H */
