# PHP binding (bindings/php): the phpunit suite and the conformance program,
# whose output must be byte-identical to the Python one's. Both run against the
# built library (LIBCRM_PATH) through tests/bindings/php.sh: without php (with
# FFI), phpunit or the shared data they are skipped (exit 77); with CI=true in
# the environment that is a failure. (Not included in sanitizer builds:
# tests/CMakeLists.txt leaves the binding suites out there.)
find_program(CRM_PHP_PY3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
add_test(NAME php COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/bindings/php.sh unit ${PROJECT_SOURCE_DIR})
set_tests_properties(php PROPERTIES
                     ENVIRONMENT "LIBCRM_PATH=$<TARGET_FILE:crm>" SKIP_RETURN_CODE 77 LABELS bindings)
crm_conformance_test(php_conformance php "CRM_PYTHON3=${CRM_PHP_PY3}")
