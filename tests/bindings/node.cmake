# Node.js binding (bindings/node, over koffi): its node --test suite and the
# conformance program compared byte for byte with the Python one. Both go
# through bindings/node/scripts/ctest.sh, which runs `npm ci` when
# bindings/node/node_modules is missing and reports a skip (77) without node,
# npm or the shared data, a failure with CI=true. (Not included in sanitizer
# builds: tests/CMakeLists.txt leaves the binding suites out there.)
find_program(CRM_NODE_PY3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
set(CRM_NODE_SCRIPT ${PROJECT_SOURCE_DIR}/bindings/node/scripts/ctest.sh)
add_test(NAME node COMMAND sh ${CRM_NODE_SCRIPT} test)
set_tests_properties(node PROPERTIES
                     ENVIRONMENT "LIBCRM_PATH=$<TARGET_FILE:crm>" SKIP_RETURN_CODE 77 LABELS bindings)
crm_conformance_test(node_conformance node "CRM_PYTHON3=${CRM_NODE_PY3}")
