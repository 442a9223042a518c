/**
 * @file crm/synth.h
 * @brief Deterministic, realistic synthetic shop transactions.
 *
 * crm_synth_transactions() generates invoice lines shaped like a real online
 * shop's export (the same columns as the UCI Online Retail data), so every
 * libcrm module can be tried, tested and benchmarked without private data:
 * - customers with heavy-tailed spend and visit frequency (a few loyal big
 *   spenders, many one-off buyers) and churn over time;
 * - invoices with several lines; products with prices and co-purchase
 *   affinities (bundles bought together), so association rules exist;
 * - weekly and yearly seasonality plus a mild trend in order volume, so
 *   forecasting has signal;
 * - the dirt real exports have: exact duplicate lines, cancellations
 *   (InvoiceNo "C..." with negative Quantity), lines without CustomerID,
 *   price outliers and a few zero prices.
 * The same options and seed give the same rows on every platform.
 */
#ifndef CRM_SYNTH_H
#define CRM_SYNTH_H

#include "crm/common.h"
#include "crm/dataset.h"

CRM_BEGIN_DECL

/**
 * Options for crm_synth_transactions(). Initialise with
 * crm_synth_options_init(&o, sizeof o).
 */
typedef struct crm_synth_options {
    size_t size;          /**< sizeof as the caller compiled it (set by init) */
    int64_t customers;    /**< number of customers; default 1000 */
    int64_t products;     /**< catalogue size; default 300 */
    int64_t days;         /**< length of the period in days; default 730 */
    int64_t start;        /**< first day, seconds since the epoch (UTC midnight);
                               default 1640995200 (2022-01-01) */
    uint64_t seed;        /**< random seed; default 0 */
    double dirt;          /**< scale of the dirt (duplicates, cancellations, missing ids,
                               outliers); 0 = clean data, 1 (default) = the default rates */
    /* ---- v1.0 ends here; append new fields below only ---- */
} crm_synth_options;

/**
 * Write the default synth options into `opts` (customers 1000, products 300,
 * days 730, start 2022-01-01, seed 0, dirt 1).
 * @param[out] opts  options to initialise
 * @param[in]  size  sizeof *opts as the caller compiled it
 * @return CRM_OK; CRM_E_INVALID (opts NULL or size smaller than the v1.0
 *         struct).
 * Ownership: opts is the caller's struct; only its first size bytes are
 * written.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_synth_options_init(crm_synth_options *opts, size_t size);

/**
 * Generate shop transactions with columns InvoiceNo (text), StockCode (text),
 * Description (text), Quantity (number), InvoiceDate (time), UnitPrice
 * (number), CustomerID (number, missing for guest lines) and Country (text),
 * ordered by InvoiceDate then InvoiceNo.
 * @param[in]  opts  options, or NULL for defaults
 * @param[out] out   new dataset, NULL on failure.
 *                   Ownership: caller; free with crm_dataset_free().
 * @return CRM_OK; CRM_E_INVALID (out NULL, or an option out of range, the
 *         message naming it: customers 1..1,000,000, products 1..100,000,
 *         days 1..36,600, customers * days <= 250,000,000, dirt finite in
 *         0..10, start a UTC midnight from 1900-01-01 with the period ending
 *         by 9999-12-31); CRM_E_FORMAT (opts from a newer library with
 *         unknown fields set); CRM_E_NOMEM.
 * Ownership: opts is only read during the call.
 * Thread-safety: safe from any thread.
 */
CRM_API crm_status crm_synth_transactions(const crm_synth_options *opts, crm_dataset **out);

CRM_END_DECL

#endif /* CRM_SYNTH_H */
