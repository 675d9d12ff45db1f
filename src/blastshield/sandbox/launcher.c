/* blastshield sandbox launcher: PID 1 inside the sandbox (the compiled twin of launcher.py).
 *
 * Compiled on first use by launcher_build.py (cc -O2, system compiler only); when no compiler
 * is there, launcher.py does the same work in Python. Both take the same arguments:
 *
 *   launcher [--status-fd N] [--close-fd N]... [--port N --proxy-socket PATH]
 *            [--seccomp-fd N] [--landlock] [--read PATH]... [--write PATH]...
 *            [--limit-tcp] [--terminal] [--ignore SIGNUM]... -- CMD ARGS...
 *
 * In order: open the bridge's TCP listener on 127.0.0.1:PORT (before Landlock, which may
 * refuse TCP bind), apply Landlock, install the seccomp program read from --seccomp-fd (only
 * without bubblewrap; with it, bwrap --seccomp installed it before this program started),
 * report "ready" on the status pipe, fork CMD, then hand each bridge connection's socket to the
 * egress proxy over its unix socket (SCM_RIGHTS; the proxy relays it), forward signals, reap
 * orphans, and report "exit N" or "signal N" and exit with the same status.
 * A layer that was asked for and cannot be applied stops everything: "error ...", exit 125.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

#define LL_CREATE_RULESET_VERSION 1u
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define LL_NET_BIND_TCP (1ull << 0)
#define LL_NET_CONNECT_TCP (1ull << 1)
#define LL_EXECUTE (1ull << 0)
#define LL_WRITE_FILE (1ull << 1)
#define LL_READ_FILE (1ull << 2)
#define LL_READ_DIR (1ull << 3)
#define LL_REFER (1ull << 13)
#define LL_TRUNCATE (1ull << 14)
#define LL_IOCTL_DEV (1ull << 15)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ull << 0)
#define LL_SCOPE_SIGNAL (1ull << 1)
#define LL_FILE_ONLY (LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV)

#define MAX_PATHS 4096
#define HANDOVER_MARKER 0x01 /* bridge.HANDOVER_MARKER */

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct ll_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port_attr {
    uint64_t allowed_access;
    uint64_t port;
};

struct bpf_program {
    unsigned short len;
    void *filter;
};

static int status_fd = -1;

static void status_send(const char *line) {
    if (status_fd < 0)
        return;
    char buffer[1024];
    int n = snprintf(buffer, sizeof buffer, "%s\n", line);
    if (n > 0) {
        ssize_t ignored = write(status_fd, buffer, (size_t)n < sizeof buffer ? (size_t)n : sizeof buffer - 1);
        (void)ignored;
    }
}

static void fail(const char *format, ...) {
    char message[900], line[1000];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    for (char *p = message; *p; p++)
        if (*p == '\n')
            *p = ' ';
    snprintf(line, sizeof line, "error %s", message);
    status_send(line);
    fprintf(stderr, "blastshield: sandbox: %s\n", message);
    _exit(125);
}

static int parse_int(const char *text, const char *option) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || *end || end == text || value < 0 || value > 65535 * 1024)
        fail("bad value for %s: %s", option, text);
    return (int)value;
}

static uint64_t ll_handled(int abi) {
    uint64_t rights = (1ull << 13) - 1;
    if (abi >= 2)
        rights |= LL_REFER;
    if (abi >= 3)
        rights |= LL_TRUNCATE;
    if (abi >= 5)
        rights |= LL_IOCTL_DEV;
    return rights;
}

static void ll_add_path(int ruleset, const char *path, uint64_t rights) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return; /* a root that does not exist grants nothing */
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        rights &= LL_FILE_ONLY;
    struct ll_path_beneath_attr attr = {.allowed_access = rights, .parent_fd = fd};
    if (syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &attr, 0) != 0)
        fail("cannot apply Landlock: landlock_add_rule(%s) failed: %s", path, strerror(errno));
    close(fd);
}

/* Returns 0 when applied, -1 when the kernel has no Landlock (the caller decides). */
static int landlock_restrict(char **readable, int n_read, char **writable, int n_write, int limit_port) {
    long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    if (abi < 1)
        return -1;
    uint64_t handled = ll_handled((int)abi);
    struct ll_ruleset_attr attr = {.handled_access_fs = handled};
    size_t size = sizeof attr.handled_access_fs;
    int limit_net = limit_port >= 0 && abi >= 4;
    if (abi >= 4) {
        attr.handled_access_net = limit_net ? (LL_NET_BIND_TCP | LL_NET_CONNECT_TCP) : 0;
        size += sizeof attr.handled_access_net;
    }
    if (abi >= 6) {
        attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
        size += sizeof attr.scoped;
    }
    int ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0)
        fail("cannot apply Landlock: landlock_create_ruleset failed: %s", strerror(errno));
    uint64_t read_rights = (LL_EXECUTE | LL_READ_FILE | LL_READ_DIR) & handled;
    for (int i = 0; i < n_read; i++)
        ll_add_path(ruleset, readable[i], read_rights);
    for (int i = 0; i < n_write; i++)
        ll_add_path(ruleset, writable[i], handled);
    if (limit_net) {
        struct ll_net_port_attr port = {.allowed_access = LL_NET_CONNECT_TCP, .port = (uint64_t)limit_port};
        if (syscall(__NR_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &port, 0) != 0)
            fail("cannot apply Landlock: landlock_add_rule(port %d) failed: %s", limit_port, strerror(errno));
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        fail("cannot apply Landlock: prctl(NO_NEW_PRIVS) failed: %s", strerror(errno));
    if (syscall(__NR_landlock_restrict_self, ruleset, 0) != 0)
        fail("cannot apply Landlock: landlock_restrict_self failed: %s", strerror(errno));
    close(ruleset);
    return 0;
}

static void seccomp_install(int fd) {
    static unsigned char program[65536];
    size_t length = 0;
    for (;;) {
        ssize_t n = read(fd, program + length, sizeof program - length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("cannot install the seccomp filter: read failed: %s", strerror(errno));
        if (n == 0)
            break;
        length += (size_t)n;
        if (length == sizeof program)
            fail("cannot install the seccomp filter: program too long");
    }
    close(fd);
    if (length == 0 || length % 8 != 0)
        fail("cannot install the seccomp filter: %zu bytes is not a BPF program", length);
    struct bpf_program prog = {.len = (unsigned short)(length / 8), .filter = program};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        fail("cannot install the seccomp filter: prctl(NO_NEW_PRIVS) failed: %s", strerror(errno));
    if (prctl(PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, &prog, 0, 0) != 0)
        fail("cannot install the seccomp filter: prctl(SECCOMP_MODE_FILTER) failed: %s", strerror(errno));
}

/* One bridge connection: hand the accepted TCP socket itself to the egress proxy (SCM_RIGHTS
 * over its unix socket, with one marker byte). The proxy then relays between this socket and
 * the upstream directly: no second copy loop in here. Non-blocking: a full proxy backlog drops
 * the connection rather than stalling PID 1. */
static void hand_over(int client, const char *unix_path) {
    int upstream = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (upstream < 0 || strlen(unix_path) >= sizeof address.sun_path) {
        if (upstream >= 0)
            close(upstream);
        return;
    }
    strcpy(address.sun_path, unix_path);
    if (connect(upstream, (struct sockaddr *)&address, sizeof address) == 0) {
        char marker = HANDOVER_MARKER;
        struct iovec data = {.iov_base = &marker, .iov_len = 1};
        union {
            char buffer[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } control;
        memset(&control, 0, sizeof control);
        struct msghdr message = {.msg_iov = &data, .msg_iovlen = 1,
                                 .msg_control = control.buffer, .msg_controllen = sizeof control.buffer};
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(header), &client, sizeof(int));
        while (sendmsg(upstream, &message, MSG_NOSIGNAL) < 0 && errno == EINTR) {
        }
    }
    close(upstream);
}

static const int forwarded[] = {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGCONT};
static const int terminal_signals[] = {SIGINT, SIGQUIT};
static const int reset_in_child[] = {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGCONT, SIGINT, SIGQUIT, SIGPIPE, SIGXFSZ};

static void on_signal(int signum) { (void)signum; }

static void set_proxy_environment(int port) {
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    const char *names[] = {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        setenv(names[i], url, 1);
    setenv("NO_PROXY", "localhost,127.0.0.1,::1", 1);
    setenv("no_proxy", "localhost,127.0.0.1,::1", 1);
}

static void finish(int raw) {
    char line[64];
    if (WIFSIGNALED(raw)) {
        snprintf(line, sizeof line, "signal %d", WTERMSIG(raw));
        status_send(line);
        _exit(128 + WTERMSIG(raw));
    }
    int code = WIFEXITED(raw) ? WEXITSTATUS(raw) : 1;
    snprintf(line, sizeof line, "exit %d", code);
    status_send(line);
    _exit(code);
}

int main(int argc, char **argv) {
    static char *readable[MAX_PATHS], *writable[MAX_PATHS];
    int n_read = 0, n_write = 0, port = -1, seccomp_fd = -1, landlock_on = 0, limit_tcp = 0, terminal = 0;
    int ignored[8], n_ignored = 0;
    const char *proxy_socket = NULL;
    if (argc == 2 && strcmp(argv[1], "--probe") == 0) { /* the build checks that it can run */
        puts("blastshield-launcher 1");
        return 0;
    }
    int index = 1;
    for (; index < argc; index++) {
        const char *arg = argv[index];
        if (strcmp(arg, "--") == 0) {
            index++;
            break;
        }
        int has_value = index + 1 < argc;
        const char *value = has_value ? argv[index + 1] : "";
        if (strcmp(arg, "--landlock") == 0) {
            landlock_on = 1;
            continue;
        } else if (strcmp(arg, "--limit-tcp") == 0) {
            limit_tcp = 1;
            continue;
        } else if (strcmp(arg, "--terminal") == 0) {
            terminal = 1;
            continue;
        } else if (strcmp(arg, "--status-fd") == 0 && has_value) {
            status_fd = parse_int(value, arg);
            fcntl(status_fd, F_SETFD, FD_CLOEXEC);
        } else if (strcmp(arg, "--close-fd") == 0 && has_value)
            close(parse_int(value, arg));
        else if (strcmp(arg, "--port") == 0 && has_value)
            port = parse_int(value, arg);
        else if (strcmp(arg, "--proxy-socket") == 0 && has_value)
            proxy_socket = value;
        else if (strcmp(arg, "--seccomp-fd") == 0 && has_value)
            seccomp_fd = parse_int(value, arg);
        else if (strcmp(arg, "--read") == 0 && has_value && n_read < MAX_PATHS)
            readable[n_read++] = argv[index + 1];
        else if (strcmp(arg, "--write") == 0 && has_value && n_write < MAX_PATHS)
            writable[n_write++] = argv[index + 1];
        else if (strcmp(arg, "--ignore") == 0 && has_value && n_ignored < 8)
            ignored[n_ignored++] = parse_int(value, arg);
        else
            fail("launcher: unknown or incomplete option %s", arg);
        index++;
    }
    if (index >= argc)
        fail("launcher: no command");
    char **command = argv + index;

    int listener = -1;
    if (port >= 0) {
        if (proxy_socket == NULL)
            fail("launcher: --port needs --proxy-socket");
        listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                      .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t length = sizeof address;
        if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
            bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 128) != 0 ||
            getsockname(listener, (struct sockaddr *)&address, &length) != 0)
            fail("cannot listen on 127.0.0.1:%d for the proxy bridge: %s", port, strerror(errno));
        port = ntohs(address.sin_port);
        set_proxy_environment(port);
    }
    if (landlock_on &&
        landlock_restrict(readable, n_read, writable, n_write, limit_tcp && port > 0 ? port : -1) != 0)
        fail("cannot apply Landlock: the kernel has no Landlock (or it is disabled at boot)");
    if (seccomp_fd >= 0)
        seccomp_install(seccomp_fd);

    sigset_t mask, previous;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    struct sigaction action = {.sa_handler = on_signal};
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) {
        sigaddset(&mask, forwarded[i]);
        sigaction(forwarded[i], &action, NULL);
    }
    for (size_t i = 0; i < sizeof terminal_signals / sizeof *terminal_signals; i++) {
        /* On a terminal the command is in the foreground group and gets Ctrl-C itself. */
        if (terminal) {
            signal(terminal_signals[i], SIG_IGN);
        } else {
            sigaddset(&mask, terminal_signals[i]);
            sigaction(terminal_signals[i], &action, NULL);
        }
    }
    sigaction(SIGCHLD, &action, NULL);
    sigprocmask(SIG_BLOCK, &mask, &previous);
    int signals = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signals < 0)
        fail("launcher: signalfd failed: %s", strerror(errno));

    status_send("ready");
    pid_t child = fork();
    if (child < 0)
        fail("cannot start the command: fork failed: %s", strerror(errno));
    if (child == 0) {
        for (size_t i = 0; i < sizeof reset_in_child / sizeof *reset_in_child; i++) {
            int ignore = 0;
            for (int j = 0; j < n_ignored; j++)
                ignore |= ignored[j] == reset_in_child[i];
            signal(reset_in_child[i], ignore ? SIG_IGN : SIG_DFL);
        }
        signal(SIGCHLD, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execvp(command[0], command);
        int error = errno;
        fprintf(stderr, "blastshield: cannot run '%s': %s\n", command[0], strerror(error));
        _exit(error == EACCES || error == EPERM ? 126 : 127);
    }

    struct pollfd watched[2] = {{.fd = signals, .events = POLLIN}, {.fd = listener, .events = POLLIN}};
    for (;;) {
        if (poll(watched, listener >= 0 ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            fail("launcher: poll failed: %s", strerror(errno));
        }
        if (watched[0].revents & POLLIN) {
            struct signalfd_siginfo info;
            while (read(signals, &info, sizeof info) == (ssize_t)sizeof info) {
                if (info.ssi_signo != SIGCHLD) {
                    kill(child, (int)info.ssi_signo);
                    continue;
                }
                for (;;) {
                    int raw;
                    pid_t pid = waitpid(-1, &raw, WNOHANG);
                    if (pid <= 0)
                        break;
                    if (pid == child)
                        finish(raw);
                }
            }
        }
        if (listener >= 0 && (watched[1].revents & POLLIN)) {
            int client = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
            if (client < 0)
                continue;
            hand_over(client, proxy_socket);
            close(client);
        }
    }
}
