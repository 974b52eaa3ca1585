# ipnp_add_test(NAME SOURCES a.cpp ... LIBS lib ... [LABELS long ...] [TIMEOUT s] [GUI])
# GUI tests open real OpenGL windows: they need an X server (./run.sh starts Xvfb when there is no
# display), because Qt's offscreen platform cannot host a QOpenGLWidget.
# One Qt Test executable registered with CTest. Tests find the shared sample data and the
# independent checkers (/usr/bin/python3 with nibabel) through the environment.
function(ipnp_add_test name)
  cmake_parse_arguments(T "GUI" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  set_target_properties(${name} PROPERTIES AUTOMOC ON)
  target_link_libraries(${name} PRIVATE Qt6::Test ${T_LIBS})
  target_compile_definitions(${name} PRIVATE
    IPNP_SHARED_DATA="${IPNP_SHARED_DATA}"
    IPNP_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    IPNP_BINARY_DIR="${CMAKE_BINARY_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  set(labels default)
  if(T_LABELS)
    set(labels ${T_LABELS})
  endif()
  # Qt Test's own watchdog stops a test function after 5 minutes unless told the CTest limit.
  set(platform offscreen)
  if(T_GUI)
    set(platform xcb)
    list(APPEND labels gui)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${labels}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "QT_QPA_PLATFORM=${platform};QTEST_FUNCTION_TIMEOUT=${T_TIMEOUT}000")
  if(T_GUI)
    # One X server for the whole run: two windows at once would steal each other's focus, pointer
    # and activation (keyboard shortcuts go to the active window only).
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK display)
  endif()
endfunction()
