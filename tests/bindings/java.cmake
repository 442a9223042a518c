# Java binding (bindings/java): the jar is built into the build tree, then the JUnit
# suite (console launcher) and the conformance program (its output cmp'd with the
# Python one's) run against the built library. A missing JDK, JNA or JUnit is a
# skipped test java_toolchain (a failure with CI=true). (Not included
# in sanitizer builds: tests/CMakeLists.txt.)
find_program(CRM_JAVA NAMES java)
find_program(CRM_JAVAC NAMES javac)
find_program(CRM_JAR NAMES jar)
set(CRM_JNA_JAR /usr/share/java/jna.jar)
set(CRM_JUNIT_JAR /usr/share/java/junit-platform-console-standalone.jar)
set(CRM_JAVA_OUT ${CMAKE_CURRENT_BINARY_DIR}/java)
set(CRM_JAVA_SH ${PROJECT_SOURCE_DIR}/bindings/java/ctest.sh)

set(crm_java_missing "")
foreach(tool IN ITEMS CRM_JAVA CRM_JAVAC CRM_JAR)
  if(NOT ${tool})
    list(APPEND crm_java_missing ${tool})
  endif()
endforeach()
foreach(jar IN ITEMS ${CRM_JNA_JAR} ${CRM_JUNIT_JAR})
  if(NOT EXISTS ${jar})
    list(APPEND crm_java_missing ${jar})
  endif()
endforeach()

if(crm_java_missing)
  add_test(NAME java_toolchain COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/bindings/missing.sh
           java_toolchain ${crm_java_missing})
  set_tests_properties(java_toolchain PROPERTIES SKIP_RETURN_CODE 77 LABELS bindings)
else()
  set(crm_java_env "LIBCRM_PATH=$<TARGET_FILE:crm>;JNA_JAR=${CRM_JNA_JAR};JUNIT_JAR=${CRM_JUNIT_JAR}")

  add_test(NAME java_build COMMAND sh ${CRM_JAVA_SH} build ${CRM_JAVA_OUT})
  set_tests_properties(java_build PROPERTIES FIXTURES_SETUP crm_java_jar
                       ENVIRONMENT "${crm_java_env}" LABELS bindings)

  add_test(NAME java_junit COMMAND sh ${CRM_JAVA_SH} junit ${CRM_JAVA_OUT})
  set_tests_properties(java_junit PROPERTIES FIXTURES_REQUIRED crm_java_jar
                       ENVIRONMENT "${crm_java_env}" TIMEOUT 600 LABELS bindings)

  find_program(CRM_JAVA_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
  crm_conformance_test(java_conformance java "CRM_JAVA_JAR=${CRM_JAVA_OUT}/libcrm.jar"
                       "CRM_JNA_JAR=${CRM_JNA_JAR}" "CRM_PYTHON3=${CRM_JAVA_PYTHON3}")
  set_tests_properties(java_conformance PROPERTIES FIXTURES_REQUIRED crm_java_jar TIMEOUT 600)
endif()
