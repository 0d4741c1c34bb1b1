# Installs the service's files where the system looks for them, for the prefix this
# installation really uses: with the prefix /usr (the Debian package), /etc/bourse and
# /lib/systemd/system, which is where Debian 12 keeps the units of packages; with another
# prefix P, P/etc/bourse and P/lib/systemd/system, which systemd also reads when P is
# /usr/local. file(INSTALL) puts DESTDIR, when set, in front of each path, as for the rest of
# the installation. Run by cmake_install.cmake, which sets the BOURSE_* variables first.

if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(config_dir /etc/bourse)
    set(unit_dir /lib/systemd/system)
else()
    set(config_dir ${CMAKE_INSTALL_PREFIX}/etc/bourse)
    set(unit_dir ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()

# configure_file reads these names.
set(BOURSE_CONFIG_DIR ${config_dir})
set(BOURSE_ENGINE ${CMAKE_INSTALL_PREFIX}/${BOURSE_INSTALL_BINDIR}/bourse-engine)
set(BOURSE_DOC_DIR ${CMAKE_INSTALL_PREFIX}/${BOURSE_INSTALL_DOCDIR})

# A folder of this run's own, removed at the end: a folder in the build tree would belong to
# root after `sudo cmake --install`, and a later cpack run as the user could not write it.
string(RANDOM LENGTH 16 run)
if(DEFINED ENV{TMPDIR} AND IS_ABSOLUTE "$ENV{TMPDIR}")
    set(generated "$ENV{TMPDIR}/bourse-install-${run}")
else()
    set(generated "/tmp/bourse-install-${run}")
endif()
configure_file(${BOURSE_SOURCE_DIR}/resources/serve/serve.conf.in ${generated}/serve.conf @ONLY)
configure_file(${BOURSE_SOURCE_DIR}/resources/serve/serve.access.in ${generated}/serve.access
               @ONLY)
configure_file(${BOURSE_SOURCE_DIR}/installer/systemd/bourse-engine.service.in
               ${generated}/bourse-engine.service @ONLY)

file(INSTALL ${generated}/serve.conf ${generated}/serve.access
     DESTINATION ${config_dir}
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(INSTALL ${generated}/bourse-engine.service
     DESTINATION ${unit_dir}
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(REMOVE_RECURSE ${generated})
