# PHP binding (bindings/php): the phpunit suite and the conformance program,
# whose output must be byte-identical to the Python one's. Both run against the
# built library (LIBCRM_PATH). Without php (with FFI), phpunit or the shared
# data they are skipped (exit 77); with CI=true in the environment that is a
# failure (tests/bindings/php.sh).
set(CRM_PHP_ENV "LIBCRM_PATH=$<TARGET_FILE:crm>")
add_test(NAME php COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/bindings/php.sh unit ${PROJECT_SOURCE_DIR})
set_tests_properties(php PROPERTIES ENVIRONMENT "${CRM_PHP_ENV}" SKIP_RETURN_CODE 77)
add_test(NAME php_conformance COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/bindings/php.sh conformance
         ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/php_conformance)
set_tests_properties(php_conformance PROPERTIES ENVIRONMENT "${CRM_PHP_ENV}" SKIP_RETURN_CODE 77
                     LABELS shared)
