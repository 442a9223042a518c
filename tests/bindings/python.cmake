# The Python package, installed: `cmake --install` into a scratch prefix (and
# with DESTDIR) and `pip install` into a virtual environment, each importing
# the package from where it was installed, with neither LIBCRM_PATH nor
# PYTHONPATH, and loading the library by itself (tests/bindings/python_install.sh).
# The package's own suite is the test "python" (tests/python, pytest), and its
# conformance program is the reference the other languages are compared with
# (tests/bindings/c.cmake and the other <lang>.cmake files).
if(CRM_PYTHON3 AND CRM_INSTALL_PYTHON)
  add_test(NAME python_install
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/bindings/python_install.sh ${CMAKE_BINARY_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/python_install-tmp ${CRM_PYTHON3} ${CMAKE_COMMAND})
  set_tests_properties(python_install PROPERTIES SKIP_RETURN_CODE 77)
elseif(NOT CRM_PYTHON3)
  add_test(NAME python_install COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/bindings/missing.sh
           python_install /usr/bin/python3)
  set_tests_properties(python_install PROPERTIES SKIP_RETURN_CODE 77)
endif()
