#include "local_processes.h"

#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace bourse::cluster {

pid_t spawnLogged(const std::vector<std::string> &arguments, const std::string &log,
                  std::string &error)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<char *> argv;
    for (const std::string &argument : arguments)
        argv.push_back(const_cast<char *>(argument.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int result = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (result != 0) {
        error = "cannot start " + arguments.front() + ": " + std::strerror(result);
        return 0;
    }
    return pid;
}

int waitForExit(pid_t pid)
{
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<int> freeLoopbackPorts(int count)
{
    std::vector<int> sockets;
    std::vector<int> ports;
    for (int i = 0; i < count; ++i) {
        const int descriptor = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (descriptor < 0 ||
            ::bind(descriptor, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
            ::getsockname(descriptor, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
            if (descriptor >= 0)
                ::close(descriptor);
            break;
        }
        sockets.push_back(descriptor);
        ports.push_back(ntohs(address.sin_port));
    }
    for (const int descriptor : sockets)
        ::close(descriptor);
    if (ports.size() != static_cast<std::size_t>(count))
        return {};
    return ports;
}

} // namespace bourse::cluster
