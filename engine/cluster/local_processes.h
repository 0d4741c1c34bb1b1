#pragma once

// Processes and loopback ports for programs that start servers of their own on one machine: the
// NATS clusters and serve processes of `bourse-bench replication` and of the cluster tests.

#include <string>
#include <sys/types.h>
#include <vector>

namespace bourse::cluster {

// Starts a program, found through the PATH unless the first argument is a path, with its standard
// output and error in the file `log`. Returns its process id, or 0 with `error` set.
pid_t spawnLogged(const std::vector<std::string> &arguments, const std::string &log,
                  std::string &error);

// Waits for a process to end. Returns its exit status, or -1 when a signal ended it.
int waitForExit(pid_t pid);

// Loopback ports that the system hands out for binding now. They are released before the caller
// binds them, so another process could take one in between. Empty when the system has too few.
std::vector<int> freeLoopbackPorts(int count);

} // namespace bourse::cluster
