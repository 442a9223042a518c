/**
 * @file crm.h
 * @brief libcrm umbrella header: include this one.
 *
 * libcrm brings customer analytics (data cleaning, RFM, segmentation,
 * churn models, basket analysis, forecasting) into any program through a
 * stable C ABI. See crm/common.h for the conventions every module follows.
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
#include "crm/synth.h"

#endif /* CRM_H */
