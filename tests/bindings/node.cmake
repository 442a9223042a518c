# Node.js binding (bindings/node, over koffi): its node --test suite and the
# conformance program compared byte for byte with the Python one. Both go
# through bindings/node/scripts/ctest.sh, which runs `npm ci` when
# bindings/node/node_modules is missing and reports a skip (77) without node,
# npm or the shared data, a failure with CI=true. (Not included in sanitizer
# builds: tests/CMakeLists.txt leaves the binding suites out there.)
find_program(CRM_NODE_PY3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
set(CRM_NODE_SCRIPT ${PROJECT_SOURCE_DIR}/bindings/node/scripts/ctest.sh)
set(CRM_NODE_ENV "LIBCRM_PATH=$<TARGET_FILE:crm>")
if(CRM_NODE_PY3)
  list(APPEND CRM_NODE_ENV "PYTHON=${CRM_NODE_PY3}")
endif()

add_test(NAME node COMMAND sh ${CRM_NODE_SCRIPT} test)
add_test(NAME node_conformance COMMAND sh ${CRM_NODE_SCRIPT} conformance
         ${PROJECT_SOURCE_DIR}/../shared/data ${CMAKE_CURRENT_BINARY_DIR}/node_conformance)
set_tests_properties(node node_conformance PROPERTIES
                     ENVIRONMENT "${CRM_NODE_ENV}" SKIP_RETURN_CODE 77 LABELS bindings)
set_tests_properties(node_conformance PROPERTIES LABELS "bindings;shared")
