/* `create` of an ordinary OCI bundle (see cagefs/container.h).
 *
 * Three processes, talking over a SOCK_SEQPACKET pair:
 *   runtime  — writes the state, id maps, cgroups; runs the runtime-side hooks;
 *   stage    — joins the namespaces config.json names by path (user first),
 *              then clone3()s the init with the new ones, reports its pid, exits;
 *   init     — builds the root (cage_build_root_with), then waits on exec.fifo
 *              until `start`, and execs the process (process.c).
 * The stage exists because a pid namespace joined by path applies only to
 * children, and joining a mount namespace would cost the runtime its view of
 * the state directory. */
#define _GNU_SOURCE
#include "container_internal.h"
#include "cagefs/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

struct create_ctx {
	const char *id;
	const struct cage_ctr_opts *o;
	struct cage_spec spec;
	struct cage_ctr_state st;
	int top;                  /* ROOT/containers */
	int dirfd;                /* the state directory */
	int fifo;                 /* exec.fifo, O_RDWR: the init's start signal */
	int sock[2];              /* [0] runtime, [1] stage and init */
	int listen_fds;
};

static void send_msg(int sock, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void send_msg(int sock, const char *fmt, ...)
{
	char buf[CAGE_ERR_MSG_MAX + 8];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (send(sock, buf, (size_t)(n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1), MSG_NOSIGNAL) < 0)
		_exit(1);
}

static ssize_t recv_msg(int sock, char *buf, size_t size)
{
	ssize_t n;
	while ((n = recv(sock, buf, size - 1, 0)) < 0 && errno == EINTR)
		;
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static void __attribute__((noreturn)) child_fail(int sock, const cage_err_t *err)
{
	send_msg(sock, "err %s", err->msg);
	_exit(1);
}

static char *state_json(struct create_ctx *c, enum cage_ctr_status status, pid_t pid)
{
	c->st.status = status;
	c->st.pid = pid;
	return cage_ctr_state_json(c->id, &c->st);
}

/* ---- the init (in the new namespaces) ---- */

/* createContainer hooks: after the runtime's createRuntime hooks, in the
 * container's namespaces, before pivot_root (runtime-spec "Lifecycle"). */
static int before_pivot(void *arg, cage_err_t *err)
{
	struct create_ctx *c = arg;
	char msg[CAGE_ERR_MSG_MAX];
	send_msg(c->sock[1], "prepivot");
	if (recv_msg(c->sock[1], msg, sizeof(msg)) <= 0 || strcmp(msg, "hooked"))
		return cage_err_set(err, "the runtime stopped the creation");
	_cleanup_free_ char *json = state_json(c, CAGE_CTR_CREATING, c->st.pid);
	return cage_hooks_run(&c->spec, CAGE_HOOK_CREATE_CONTAINER, json, err);
}

/* linux.sysctl, through the container's own /proc (names checked when
 * config.json was read: only namespaced settings), before readonlyPaths
 * makes /proc/sys read-only. */
static int apply_sysctl(void *arg, cage_err_t *err)
{
	const struct cage_spec *s = &((struct create_ctx *)arg)->spec;
	for (size_t i = 0; i < s->sysctl.n; i++) {
		char path[512];
		const char *kv = s->sysctl.v[i], *eq = strchr(kv, '=');
		int n = snprintf(path, sizeof(path), "/proc/sys/%.*s", (int)(eq - kv), kv);
		if (n >= (int)sizeof(path))
			return cage_err_set(err, "sysctl %.40s...: name too long", kv);
		for (char *p = path + 10; p < path + n; p++)
			*p = *p == '.' ? '/' : *p;
		_cleanup_close_ int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || write(fd, eq + 1, strlen(eq + 1)) < 0)
			return cage_err_sys(err, errno, "sysctl %.*s", (int)(eq - kv), kv);
	}
	return 0;
}

/* process.terminal: a new pty of the container's devpts; its master goes to
 * the caller through --console-socket (OCI runtime command line). */
static int setup_console(struct create_ctx *c, cage_err_t *err)
{
	_cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || unlockpt(master) < 0)
		return cage_err_sys(err, errno, "cannot open a pty in the container");
	_cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return cage_err_sys(err, errno, "cannot open the pty's slave");
	/* /dev/console is that pty too, as under runc and crun. */
	char pts[64];
	_cleanup_close_ int console = open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (ptsname_r(master, pts, sizeof(pts)) != 0 || console < 0 ||
	    mount(pts, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return cage_err_sys(err, errno, "cannot make /dev/console the container's pty");
	char json[300], ctl[CMSG_SPACE(sizeof(int))] = {0};
	int n = snprintf(json, sizeof(json), "{\"type\":\"terminal\",\"container\":\"%s\"}", c->id);
	struct iovec iov = {json, (size_t)n};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof(int));
	if (sendmsg(c->o->console_socket, &mh, MSG_NOSIGNAL) < 0)
		return cage_err_sys(err, errno, "cannot send the pty to the console socket");
	close(c->o->console_socket);
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, 0) < 0 || dup2(slave, 1) < 0 ||
	    dup2(slave, 2) < 0)
		return cage_err_sys(err, errno, "cannot make the pty the controlling terminal");
	return 0;
}

static int init_setup(struct create_ctx *c, cage_err_t *err)
{
	const struct cage_spec *s = &c->spec;
	if (s->ns_listed[CAGE_NS_USER] && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return cage_err_sys(err, errno, "cannot become root in the user namespace");
	char adj[16];
	int n = snprintf(adj, sizeof(adj), "%d", s->oom_score_adj);
	_cleanup_close_ int oom = s->has_oom ? open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC) : -1;
	if (s->has_oom && (oom < 0 || write(oom, adj, (size_t)n) < 0))
		return cage_err_sys(err, errno, "cannot set oomScoreAdj");
	struct cage_root_opts ro = {
		.foreign = true, .devices = s->devices, .ndevices = s->ndevices,
		.bind_devices = s->ns_listed[CAGE_NS_USER], .propagation = s->propagation,
		.before_pivot = before_pivot, .after_pivot = apply_sysctl, .arg = c};
	/* A mount namespace joined by path is used as it is (runc, crun): the
	 * hooks and sysctl that building a root would run, run here. */
	if (s->ns_path[CAGE_NS_MNT] ? before_pivot(c, err) < 0 || apply_sysctl(c, err) < 0
				    : cage_build_root_with(&s->oci, &ro, err) < 0)
		return -1;
	return s->terminal ? setup_console(c, err) : 0;
}

static int __attribute__((noreturn)) init_main(struct create_ctx *c)
{
	cage_err_t err = {0};
	char msg[64];
	int sock = c->sock[1];
	/* The runtime says go once the id maps and cgroups are in place. */
	if (recv_msg(sock, msg, sizeof(msg)) <= 0 || sscanf(msg, "go %d", &c->st.pid) != 1)
		_exit(1);
	if (init_setup(c, &err) < 0)
		child_fail(sock, &err);
	send_msg(sock, "ok");
	close(sock);
	char b;
	ssize_t n;
	while ((n = read(c->fifo, &b, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(1);
	close(c->fifo);
	_cleanup_free_ char *json = state_json(c, CAGE_CTR_RUNNING, c->st.pid);
	if (cage_hooks_run(&c->spec, CAGE_HOOK_START_CONTAINER, json, &err) == 0)
		cage_ctr_exec_process(&c->spec, NULL, c->listen_fds, &err);
	fprintf(stderr, "cagefs-runtime: container %s: %s\n", c->id, err.msg);
	_exit(127);
}

/* ---- the stage (joins namespaces by path, clones the init) ---- */

static bool is_host_ns(int fd, enum cage_ns_kind k)
{
	static const char *const proc_names[CAGE_NS_KINDS] = {"user", "mnt", "pid", "ipc", "uts", "net",
							      "cgroup"};
	char path[64];
	struct stat a, b;
	snprintf(path, sizeof(path), "/proc/1/ns/%s", proc_names[k]);
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static void __attribute__((noreturn)) stage_main(struct create_ctx *c)
{
	cage_err_t err = {0};
	/* Nothing of the host may reach the container through its init before
	 * it execs: not the state directory (a container given CAP_SYS_PTRACE
	 * could open /proc/1/fd/N/..), not the init's memory. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	close(c->dirfd);
	close(c->top);
	c->dirfd = c->top = -1;
	int fds[CAGE_NS_KINDS], flags = 0;
	for (int k = 0; k < CAGE_NS_KINDS; k++) {
		fds[k] = c->spec.ns_path[k] ? open(c->spec.ns_path[k], O_RDONLY | O_CLOEXEC) : -1;
		if (c->spec.ns_path[k] && fds[k] < 0)
			cage_err_sys(&err, errno, "namespace %s", c->spec.ns_path[k]);
		else if (c->spec.ns_listed[k] && !c->spec.ns_path[k])
			flags |= cage_ns_flag(k);
	}
	/* A namespace given by path that is the host's own is not the
	 * container's to configure: sysctl or hostname would change the host. */
	for (int k = 0; !err.msg[0] && k < CAGE_NS_KINDS; k++)
		if (fds[k] >= 0 && c->spec.ns_written[k] && is_host_ns(fds[k], k))
			cage_err_set(&err, "namespace %s is the host's: linux.sysctl and hostname may "
				     "not be set in it", c->spec.ns_path[k]);
	/* The user namespace first: it owns the others (enum order). */
	for (int k = 0; !err.msg[0] && k < CAGE_NS_KINDS; k++)
		if (fds[k] >= 0 && setns(fds[k], cage_ns_flag(k)) < 0)
			cage_err_sys(&err, errno, "cannot join namespace %s", c->spec.ns_path[k]);
	if (err.msg[0])
		child_fail(c->sock[1], &err);
	struct clone_args a = {.flags = (unsigned)flags, .exit_signal = SIGCHLD};
	pid_t pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
	if (pid == 0)
		init_main(c);
	if (pid < 0) {
		cage_err_sys(&err, errno, "cannot create the namespaces");
		child_fail(c->sock[1], &err);
	}
	send_msg(c->sock[1], "pid %d", pid);
	_exit(0);
}

/* ---- the runtime's side ---- */

static int write_map(pid_t pid, const char *file, const char *map, cage_err_t *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, map, strlen(map)) < 0)
		return cage_err_sys(err, errno, "cannot write %s", path);
	return 0;
}

/* Answers the init until it is created: createRuntime hooks when asked. */
static int converse(struct create_ctx *c, pid_t pid, cage_err_t *err)
{
	char msg[CAGE_ERR_MSG_MAX + 8];
	for (;;) {
		if (recv_msg(c->sock[0], msg, sizeof(msg)) <= 0)
			return cage_err_set(err, "the container's init died while being created");
		if (!strcmp(msg, "ok"))
			return 0;
		if (!strncmp(msg, "err ", 4))
			return cage_err_set(err, "%s", msg + 4);
		if (strcmp(msg, "prepivot"))
			return cage_err_set(err, "unexpected message from the init: %s", msg);
		_cleanup_free_ char *json = state_json(c, CAGE_CTR_CREATING, pid);
		if (cage_hooks_run(&c->spec, CAGE_HOOK_PRESTART, json, err) < 0 ||
		    cage_hooks_run(&c->spec, CAGE_HOOK_CREATE_RUNTIME, json, err) < 0)
			return -1;
		send_msg(c->sock[0], "hooked");
	}
}

static pid_t stage_result(struct create_ctx *c, pid_t stage, cage_err_t *err)
{
	char msg[CAGE_ERR_MSG_MAX + 8];
	ssize_t n = recv_msg(c->sock[0], msg, sizeof(msg));
	while (waitpid(stage, NULL, 0) < 0 && errno == EINTR)
		;
	int pid = 0;
	if (n > 4 && !strncmp(msg, "err ", 4))
		return cage_err_set(err, "%s", msg + 4);
	if (n <= 0 || sscanf(msg, "pid %d", &pid) != 1 || pid <= 0)
		return cage_err_set(err, "the namespaces could not be created");
	return pid;
}

static int start_init(struct create_ctx *c, pid_t *pid, cage_err_t *err)
{
	pid_t stage = fork();
	if (stage == 0) {
		close(c->sock[0]);
		stage_main(c);
	}
	close(c->sock[1]);
	c->sock[1] = -1;
	close(c->fifo); /* only the init holds it now */
	c->fifo = -1;
	if (stage < 0)
		return cage_err_sys(err, errno, "fork");
	if ((*pid = stage_result(c, stage, err)) < 0)
		return -1;
	const struct cage_spec *s = &c->spec;
	if (s->ns_listed[CAGE_NS_USER] && !s->ns_path[CAGE_NS_USER] &&
	    (write_map(*pid, "uid_map", s->uid_map, err) < 0 || write_map(*pid, "gid_map", s->gid_map, err) < 0))
		return -1;
	/* Recorded at once: whatever happens to us from here on, delete finds
	 * (and kills) this init. */
	c->st.pid = *pid;
	c->st.start_time = cage_proc_start_time(*pid);
	if (cage_ctr_write_state(c->dirfd, &c->st, getpid(), err) < 0 ||
	    cage_ctr_cgroup_apply(s, c->id, *pid, c->dirfd, err) < 0)
		return -1;
	send_msg(c->sock[0], "go %d", *pid);
	return converse(c, *pid, err);
}

static char *now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64], *out = NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return asprintf(&out, "%s.%09ldZ", buf, ts.tv_nsec) < 0 ? NULL : out;
}

/* The state directory, with a copy of config.json (what delete's poststop
 * hooks use, whatever happens to the bundle) and exec.fifo.  ROOT and
 * ROOT/containers are made if missing, and must be root's own (trust.c). */
static int make_state_dir(const char *root, struct create_ctx *c, cage_err_t *err)
{
	_cleanup_free_ char *dir = cage_ctr_dir(root, c->id);
	if (!dir)
		return cage_err_sys(err, ENOMEM, "path");
	if ((c->top = cage_ctr_topdir(root, true, err)) < 0)
		return -1;
	if (mkdirat(c->top, c->id, 0700) < 0)
		return errno == EEXIST ? cage_err_set(err, "container %s already exists", c->id)
				       : cage_err_sys(err, errno, "cannot create %s", dir);
	/* Locked until create ends (see cage_ctr_lock_at): a delete of the id
	 * waits for it. */
	c->dirfd = cage_ctr_lock_at(c->top, root, c->id, err);
	if (c->dirfd < 0)
		return cage_err_prefix(err, "deleted while being created");
	if (mkfifoat(c->dirfd, "exec.fifo", 0600) < 0)
		return cage_err_sys(err, errno, "cannot create %s/exec.fifo", dir);
	/* O_RDWR: never blocks, and `start` can open it for writing while we hold it. */
	c->fifo = openat(c->dirfd, "exec.fifo", O_RDWR | O_CLOEXEC);
	return c->fifo < 0 ? cage_err_sys(err, errno, "exec.fifo") : 0;
}

static int load_spec(struct create_ctx *c, cage_err_t *err)
{
	char cwd[4096];
	const char *b = c->o->bundle ? c->o->bundle : getcwd(cwd, sizeof(cwd));
	_cleanup_free_ char *bundle = b ? realpath(b, NULL) : NULL;
	if (!bundle)
		return cage_err_sys(err, errno, "bundle %s", b ? b : ".");
	_cleanup_free_ char *cfg = cage_path_join(bundle, "config.json"), *text = NULL;
	size_t len;
	if (!cfg)
		return cage_err_sys(err, ENOMEM, "path");
	/* What is read is the copy: the bundle may change under us. */
	if (cage_read_file(cfg, 8u << 20, &text, &len, err) < 0 ||
	    cage_write_atomic_at(c->dirfd, "config.json", text, len, 0600, err) < 0 ||
	    cage_ctr_load_spec(c->dirfd, bundle, &c->spec, err) < 0)
		return -1;
	if (c->spec.terminal && c->o->console_socket < 0)
		return cage_err_set(err, "process.terminal is true: --console-socket is needed");
	c->st.bundle = strdup(bundle);
	c->st.created = now_rfc3339();
	if (!c->st.bundle || !c->st.created || cage_ctr_annotations(c->spec.annotations, &c->st.annotations) < 0)
		return cage_err_sys(err, ENOMEM, "state");
	return 0;
}

static int record(struct create_ctx *c, pid_t pid, cage_err_t *err)
{
	c->st.pid = pid;
	c->st.start_time = cage_proc_start_time(pid);
	if (cage_ctr_write_state(c->dirfd, &c->st, 0, err) < 0)
		return -1;
	char text[32];
	int n = snprintf(text, sizeof(text), "%d", pid);
	return c->o->pid_file ? cage_write_atomic(c->o->pid_file, text, (size_t)n, 0644, err) : 0;
}

static void undo(struct create_ctx *c, pid_t pid)
{
	/* Gone before its cgroup is removed (rmdir of a busy cgroup fails). */
	if (pid > 0 && c->st.start_time)
		cage_ctr_kill_wait(&c->st, c->id, NULL);
	if (pid > 0 && c->o->keep_child)
		waitpid(pid, NULL, 0);
	_cleanup_cgroups_ struct cage_ctr_cgroups cgs = {0};
	if (cage_ctr_cgroups_open(c->dirfd, &cgs, NULL) == 0)
		cage_ctr_cgroup_remove(&cgs);
	cage_rm_rf_at(c->top, c->id, NULL);
}

int cage_ctr_create(const char *root, const char *id, const struct cage_ctr_opts *o, pid_t *pidp,
		    cage_err_t *err)
{
	if (!cage_ctr_id_valid(id))
		return cage_err_set(err, "invalid container id '%s' (letters, digits, _ . + -)", id);
	struct create_ctx c = {.id = id, .o = o, .top = -1, .dirfd = -1, .fifo = -1, .sock = {-1, -1}};
	/* LISTEN_FDS (socket activation): fds 3..3+N-1 go to the process. */
	const char *lf = getenv("LISTEN_FDS");
	long nfds = lf ? strtol(lf, NULL, 10) : 0;
	c.listen_fds = nfds > 0 && nfds < 1024 ? (int)nfds : 0;
	if (make_state_dir(root, &c, err) < 0) {
		if (c.dirfd >= 0)
			undo(&c, 0);
		if (c.top >= 0)
			close(c.top);
		return -1;
	}
	pid_t pid = 0;
	int rc = load_spec(&c, err) < 0 || cage_ctr_write_state(c.dirfd, &c.st, getpid(), err) < 0 ? -1 : 0;
	if (rc == 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c.sock) < 0)
		rc = cage_err_sys(err, errno, "socketpair");
	if (rc == 0 && o->keep_child)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if (rc == 0)
		rc = start_init(&c, &pid, err) < 0 || record(&c, pid, err) < 0 ? -1 : 0;
	if (rc < 0)
		undo(&c, pid);
	for (int i = 0; i < 2; i++)
		if (c.sock[i] >= 0)
			close(c.sock[i]);
	if (c.fifo >= 0)
		close(c.fifo);
	close(c.dirfd);
	close(c.top);
	cage_ctr_state_free(&c.st);
	cage_spec_free(&c.spec);
	*pidp = pid;
	return rc;
}
