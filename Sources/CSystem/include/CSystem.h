#ifndef SWIFT_SENTINEL_CSYSTEM_H
#define SWIFT_SENTINEL_CSYSTEM_H

// Linux interfaces that Swift's Glibc module does not expose.
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/resource.h>
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

#endif
