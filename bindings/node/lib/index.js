'use strict';
// libcrm for Node.js: customer analytics (cleaning, RFM, segmentation, churn
// models, basket analysis, forecasting) on the libcrm C library through koffi.
//
//   const crm = require('libcrm');
//   const ds = crm.Dataset.readCsv('orders.csv', { delimiter: ';' });
//
// The shared library is $LIBCRM_PATH when set, else "libcrm.so.1" from the
// system loader. Two layers: ./capi (generated from the C headers) and the
// classes below. Errors are CrmError subclasses carrying the library's message.

const capi = require('./capi');
const errors = require('./errors');
const { Dataset } = require('./dataset');
const models = require('./model');
const functions = require('./functions');

module.exports = {
    /** Version of the headers this binding was generated from. */
    version: capi.VERSION.string,
    /** Version of the loaded library (crm_version()). */
    libraryVersion: capi.crm_version(),
    /** Where the library was loaded from (LIBCRM_PATH or the loader's name). */
    libraryPath: capi.LIBRARY_PATH,
    Dataset,
    Model: models.Model,
    KMeans: models.KMeans,
    LogisticRegression: models.LogisticRegression,
    LinearRegression: models.LinearRegression,
    DecisionTree: models.DecisionTree,
    Arima: models.Arima,
    Clv: models.Clv,
    RandomForest: models.RandomForest,
    loadModel: models.loadModel,
    rfm: functions.rfm,
    apriori: functions.apriori,
    synth: functions.synth,
    splitItems: functions.splitItems,
    silhouette: functions.silhouette,
    rfmDefaultAsOf: functions.rfmDefaultAsOf,
    rfmSegments: functions.rfmSegments,
    rfmStages: functions.rfmStages,
    nps: functions.nps,
    satisfaction: functions.satisfaction,
    funnel: functions.funnel,
    classificationMetrics: functions.classificationMetrics,
    regressionMetrics: functions.regressionMetrics,
    arimaMany: functions.arimaMany,
    clvSummary: functions.clvSummary,
    report: functions.report,
    reportHtml: functions.reportHtml,
    CrmError: errors.CrmError,
    InvalidError: errors.InvalidError,
    NoMemoryError: errors.NoMemoryError,
    CrmIOError: errors.CrmIOError,
    ParseError: errors.ParseError,
    NotFoundError: errors.NotFoundError,
    CrmTypeError: errors.CrmTypeError,
    NumericError: errors.NumericError,
    StateError: errors.StateError,
    FormatError: errors.FormatError,
    CancelledError: errors.CancelledError,
    UnsupportedError: errors.UnsupportedError,
    capi,
};
