# The conformance pipeline in C (tests/conformance/conformance.c, SPEC.md):
# crm_conformance, linked against the shared library, and the test that runs
# it and the Python reference program through run.sh and asserts with
# compare.sh that both wrote the same bytes. Without ../shared/data it is
# skipped (exit 77); with CI=true that is a failure.
add_executable(crm_conformance ${PROJECT_SOURCE_DIR}/tests/conformance/conformance.c)
target_compile_options(crm_conformance PRIVATE ${CRM_WARNINGS})
target_link_libraries(crm_conformance PRIVATE crm)

if(CRM_PYTHON3)
  set(CRM_CONFORMANCE_DIR ${CMAKE_CURRENT_BINARY_DIR}/conformance-c)
  add_test(NAME conformance_c
           COMMAND sh -c "sh \"$0\" \"$2\" c python && sh \"$1\" \"$2\" c python"
                   ${PROJECT_SOURCE_DIR}/tests/conformance/run.sh
                   ${PROJECT_SOURCE_DIR}/tests/conformance/compare.sh
                   ${CRM_CONFORMANCE_DIR})
  set_tests_properties(conformance_c PROPERTIES
    ENVIRONMENT "LIBCRM_PATH=$<TARGET_FILE:crm>;CRM_CONFORMANCE_C=$<TARGET_FILE:crm_conformance>;CRM_PYTHON3=${CRM_PYTHON3};CRM_SHARED_DATA_DIR=${PROJECT_SOURCE_DIR}/../shared/data"
    SKIP_RETURN_CODE 77)
endif()
