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

/** Major version: the ABI is stable within a major version (SONAME libcrm.so.MAJOR). */
#define CRM_VERSION_MAJOR 1
/** Minor version: grows when functions or options fields are added. */
#define CRM_VERSION_MINOR 0
/** Patch version: fixes only. */
#define CRM_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH; compare with crm_version_number(). */
#define CRM_VERSION_NUMBER 10000
/** "MAJOR.MINOR.PATCH"; compare with crm_version(). */
#define CRM_VERSION_STRING "1.0.0"

#endif /* CRM_VERSION_H */
