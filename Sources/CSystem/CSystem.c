// Wrappers for GNU extensions; everything else lives in the header.
#define _GNU_SOURCE
#include <stdlib.h>
#include "CSystem.h"

extern char **environ;

int csystem_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int csystem_mkstemp_cloexec(char *template_path) {
    return mkostemp(template_path, O_CLOEXEC);
}

pid_t csystem_fork(void) { return fork(); }

char *const *csystem_environ(void) { return environ; }

int csystem_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
#else
    (void)actions; (void)from;
    return 0;
#endif
}
