/* Seccomp profiles as JSON: parse (cage_json_parse: positions for syntax
 * errors, the depth and NUL limits) and validate, the embedded default
 * profile.  Validation and compilation are in compile.c. */
#include "cagefs/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "profile.h"

/* The largest profile text: a file is CAGE_SECCOMP_MAX_FILE at most
 * (cage_seccomp_load_file), and so is a text given directly. */
#define MAX_TEXT ((size_t)CAGE_SECCOMP_MAX_FILE)

int cage_seccomp_load_json(const char *text, size_t len, const char *name, cage_json **out,
			   cage_err_t *err)
{
	*out = NULL;
	if (!name)
		name = "seccomp profile";
	_cleanup_json_ cage_json *tree = NULL;
	if (cage_json_parse(text, len, name, MAX_TEXT, &tree, err) < 0)
		return -1;
	if (cage_seccomp_validate(tree, err) < 0)
		return cage_err_prefix(err, "%s", name);
	*out = CAGE_STEAL_PTR(tree);
	return 0;
}

int cage_seccomp_load_file(const char *path, cage_json **out, cage_err_t *err)
{
	*out = NULL;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return cage_err_sys(err, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return cage_err_set(err, "%s: not a regular file", path);
	if (st.st_size > CAGE_SECCOMP_MAX_FILE)
		return cage_err_set(err, "%s: larger than %d bytes", path, CAGE_SECCOMP_MAX_FILE);
	_cleanup_free_ char *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return cage_err_sys(err, ENOMEM, "%s", path);
	size_t len = 0;
	for (;;) {
		/* Read to EOF, not to st_size: the file may change under us. */
		ssize_t n = read(fd, buf + len, (size_t)st.st_size + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cage_err_sys(err, errno, "%s", path);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > (size_t)st.st_size)
			return cage_err_set(err, "%s: file grew while being read", path);
	}
	return cage_seccomp_load_json(buf, len, path, out, err);
}

const char *cage_seccomp_default_text(size_t *len)
{
	if (len)
		*len = cage_seccomp_default_json_len;
	return cage_seccomp_default_json;
}

int cage_seccomp_default(cage_json **out, cage_err_t *err)
{
	return cage_seccomp_load_json(cage_seccomp_default_json, cage_seccomp_default_json_len,
				      "default.json", out, err);
}
