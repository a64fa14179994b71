#ifndef SWIFT_SENTINEL_CSYSTEM_H
#define SWIFT_SENTINEL_CSYSTEM_H

// Linux interfaces that Swift's Glibc module does not expose.
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/random.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <spawn.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <syslog.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/types.h>

/// `errno` as a plain function (Swift cannot read the thread-local macro reliably everywhere).
static inline int csystem_errno(void) { return errno; }

/// epoll_event is packed on x86_64; these accessors keep Swift away from its layout.
static inline struct epoll_event csystem_epoll_event(uint32_t events, uint64_t data) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = data;
    return event;
}
static inline uint32_t csystem_epoll_event_events(const struct epoll_event *event) { return event->events; }
static inline uint64_t csystem_epoll_event_data(const struct epoll_event *event) { return event->data.u64; }

/// Sets `errno` (lets Swift code report a synthetic error through the same path as a syscall).
static inline void csystem_set_errno(int value) { errno = value; }

// Flag values that glibc declares as enum members or function-like macros, as plain functions.
static inline int csystem_sock_stream(void) { return SOCK_STREAM; }
static inline int csystem_sock_nonblock(void) { return SOCK_NONBLOCK; }
static inline int csystem_sock_cloexec(void) { return SOCK_CLOEXEC; }
static inline int csystem_msg_nosignal(void) { return MSG_NOSIGNAL; }
static inline uint32_t csystem_epollin(void) { return EPOLLIN; }
static inline uint32_t csystem_epollout(void) { return EPOLLOUT; }
static inline uint32_t csystem_epollerr(void) { return EPOLLERR; }
static inline uint32_t csystem_epollhup(void) { return EPOLLHUP; }
static inline uint32_t csystem_epollrdhup(void) { return EPOLLRDHUP; }

// Wait-status decoding (the W* macros are function-like and not imported by Swift).
static inline int csystem_wifexited(int status) { return WIFEXITED(status); }
static inline int csystem_wexitstatus(int status) { return WEXITSTATUS(status); }
static inline int csystem_wifsignaled(int status) { return WIFSIGNALED(status); }
static inline int csystem_wtermsig(int status) { return WTERMSIG(status); }

/// Sets a signal's disposition to "ignore" (`SIG_IGN` is a cast macro Swift cannot import).
static inline int csystem_signal_ignore(int signo) { return signal(signo, SIG_IGN) == SIG_ERR ? -1 : 0; }
/// Restores a signal's default disposition.
static inline int csystem_signal_default(int signo) { return signal(signo, SIG_DFL) == SIG_ERR ? -1 : 0; }

/// `syslog(priority, "%s", message)`: Swift cannot call the variadic original.
static inline void csystem_syslog(int priority, const char *message) { syslog(priority, "%s", message); }

// Implemented in CSystem.c, which is compiled with _GNU_SOURCE.
/// `accept4(2)`.
int csystem_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
/// `mkostemp(3)` with `O_CLOEXEC`.
int csystem_mkstemp_cloexec(char *template_path);
/// `fork(2)`.
pid_t csystem_fork(void);
/// The process environment (`environ`), for posix_spawn.
char *const *csystem_environ(void);
/// `posix_spawn_file_actions_addclosefrom_np(actions, from)` where glibc has it (2.34+); otherwise returns 0 and does nothing.
int csystem_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);

#endif
