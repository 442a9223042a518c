# The conformance pipeline in C (tests/conformance/conformance.c, SPEC.md):
# crm_conformance, linked against the shared library, and the test that runs
# it and the Python reference program through run.sh and asserts with
# compare.sh that both wrote the same bytes. Without ../shared/data it is
# skipped (exit 77); with CI=true that is a failure.
add_executable(crm_conformance ${PROJECT_SOURCE_DIR}/tests/conformance/conformance.c)
target_compile_options(crm_conformance PRIVATE ${CRM_WARNINGS})
target_link_libraries(crm_conformance PRIVATE crm)

if(CRM_PYTHON3)
  crm_conformance_test(conformance_c c "CRM_CONFORMANCE_C=$<TARGET_FILE:crm_conformance>"
                       "CRM_PYTHON3=${CRM_PYTHON3}")
else()
  add_test(NAME conformance_c COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/bindings/missing.sh
           conformance_c /usr/bin/python3)
  set_tests_properties(conformance_c PROPERTIES SKIP_RETURN_CODE 77)
endif()

# compare.sh itself: identical files pass; a changed member fails and is named.
add_test(NAME conformance_compare
         COMMAND sh -c [=[
set -u
d=$1/conformance-compare
rm -rf "$d" && mkdir -p "$d" || exit 1
printf '{\n"a":"1",\n"b":{"rows":2},\n"c":3\n}\n' > "$d/python.json"
cp "$d/python.json" "$d/c.json"
sh "$0" "$d" python c || { echo "identical outputs reported as different"; exit 1; }
printf '{\n"a":"1",\n"b":{"rows":3},\n"c":3\n}\n' > "$d/php.json"
if sh "$0" "$d" 2> "$d/err"; then echo "a difference was not reported"; exit 1; fi
grep -q 'php.json differs from python.json at byte 24, line 3, column 13: first differing member "b"' "$d/err" ||
  { cat "$d/err"; exit 1; }
rm -f "$d/c.json"
if sh "$0" "$d" python c 2> "$d/err"; then echo "a missing output was not reported"; exit 1; fi
grep -q 'c.json is missing' "$d/err" || { cat "$d/err"; exit 1; }
echo "compare.sh: ok"
]=] ${PROJECT_SOURCE_DIR}/tests/conformance/compare.sh ${CMAKE_CURRENT_BINARY_DIR})
