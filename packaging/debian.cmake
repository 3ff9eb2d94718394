# The Debian package (docs/packaging.md): install() rules for it and CPack's DEB generator.
#   cpack --config build/release/CPackConfig.cmake -B build/package
# makes build/package/coordinator_<version>_amd64.deb. Included by CMakeLists.txt.

set(pkg_dir "${CMAKE_CURRENT_LIST_DIR}")
set(pkg_out "${CMAKE_BINARY_DIR}/packaging")
set(pkg_maintainer
    "coordinator maintainers <maintainers@users.noreply.b-seed-cdd3a360.example>")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  "${CMAKE_SOURCE_DIR}/conf/coordinator.ini" "${pkg_dir}/debian/changelog"
  "${pkg_dir}/coordinator.1.in")

# The packaged config is conf/coordinator.ini with the store moved to the unit's
# StateDirectory; the repository's file stays as the quick start uses it.
file(READ "${CMAKE_SOURCE_DIR}/conf/coordinator.ini" repo_ini)
set(repo_store [[path="data/coordinator.db"]])
string(FIND "${repo_ini}" "${repo_store}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "packaging: conf/coordinator.ini has no line ${repo_store} to adapt")
endif()
string(REPLACE "${repo_store}" [[path="/var/lib/coordinator/coordinator.db"]] pkg_ini
       "${repo_ini}")
string(PREPEND pkg_ini
  "; Installed by the coordinator Debian package. A conffile: your changes survive upgrades.\n"
  "; The service runs `coordinator --config-file=/etc/coordinator/coordinator.ini` as the user\n"
  "; coordinator (systemctl restart coordinator after a change); the store is in\n"
  "; /var/lib/coordinator, the unit's StateDirectory. See man coordinator.\n;\n")
file(WRITE "${pkg_out}/coordinator.ini" "${pkg_ini}")

# The changelog's newest entry must name the version being packaged.
file(STRINGS "${pkg_dir}/debian/changelog" changelog_top LIMIT_COUNT 1)
if(NOT changelog_top MATCHES "^coordinator \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "packaging: debian/changelog starts with '${changelog_top}', "
                      "not version ${PROJECT_VERSION}")
endif()

# Debian wants the changelog and the man page gzip -9n (no name, no time stamp: reproducible).
configure_file("${pkg_dir}/coordinator.1.in" "${pkg_out}/coordinator.1" @ONLY)
foreach(f IN ITEMS "${pkg_dir}/debian/changelog" "${pkg_out}/coordinator.1")
  get_filename_component(name "${f}" NAME)
  execute_process(COMMAND gzip -9nc "${f}" OUTPUT_FILE "${pkg_out}/${name}.gz"
                  RESULT_VARIABLE gzip_rc)
  if(NOT gzip_rc EQUAL 0)
    message(FATAL_ERROR "packaging: gzip ${f} failed")
  endif()
endforeach()

# Full RELRO (Debian's hardening flags link with -z now); relinks only the executable.
target_link_options(coordinator PRIVATE "LINKER:-z,now")

# Paths are those of the package; CPACK_PACKAGING_INSTALL_PREFIX puts bin/ and share/ under /usr.
install(TARGETS coordinator RUNTIME DESTINATION bin)
# cpack strips (CPACK_STRIP_FILES); like Debian's dh_strip, drop the compilers' .comment too.
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    execute_process(COMMAND \"${CMAKE_OBJCOPY}\" --remove-section=.comment
                            \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/bin/coordinator\"
                    COMMAND_ERROR_IS_FATAL ANY)
  endif()")
install(FILES "${pkg_out}/coordinator.1.gz" DESTINATION share/man/man1)
install(FILES "${pkg_dir}/debian/copyright" DESTINATION share/doc/coordinator)
install(FILES "${pkg_out}/changelog.gz" DESTINATION share/doc/coordinator)
install(FILES "${pkg_dir}/lintian-overrides" DESTINATION share/lintian/overrides
        RENAME coordinator)
install(FILES "${pkg_out}/coordinator.ini" DESTINATION /etc/coordinator)
install(FILES "${pkg_dir}/coordinator.service" DESTINATION /lib/systemd/system)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME coordinator)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "hub of a sharded Discord bot")
# The extended description: lines under 80 columns, an empty line for a paragraph break.
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "coordinator accepts websocket sessions from companion music bots, the\n"
  "bot's services and music nodes, authenticates them, watches their\n"
  "liveness, keeps guild settings and supporters durable in SQLite and\n"
  "pushes every change to every session. It also serves an admin API, a\n"
  "cache read API and Prometheus metrics.\n"
  "\n"
  "This package runs it as the systemd service coordinator.service, as the\n"
  "system user coordinator, configured by /etc/coordinator/coordinator.ini.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${pkg_maintainer}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# Runtime libraries (CAF, Boost.JSON, SQLite, zlib, spdlog, fmt, libedit, libstdc++) come from
# dpkg-shlibdeps; adduser is what postinst calls.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${pkg_dir}/debian/conffiles;${pkg_dir}/debian/postinst"
    "${pkg_dir}/debian/prerm;${pkg_dir}/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
