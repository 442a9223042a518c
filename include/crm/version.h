/**
 * @file crm/version.h
 * @brief libcrm version numbers.
 *
 * This file is the single source of the version: CMake reads it to set the
 * project version, the SONAME (libcrm.so.MAJOR) and libcrm.pc. Compare
 * CRM_VERSION_NUMBER with crm_version_number() at run time to check that the
 * header you compiled against matches the library you loaded.
 */
#ifndef CRM_VERSION_H
#define CRM_VERSION_H

#define CRM_VERSION_MAJOR 1
#define CRM_VERSION_MINOR 0
#define CRM_VERSION_PATCH 0
/* MAJOR * 10000 + MINOR * 100 + PATCH */
#define CRM_VERSION_NUMBER 10000
#define CRM_VERSION_STRING "1.0.0"

#endif /* CRM_VERSION_H */
