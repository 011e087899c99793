/* Seccomp profiles as JSON: parse (cage_json_parse: positions for syntax
 * errors, the depth and NUL limits) and validate, the embedded default
 * profile.  Validation and compilation are in compile.c. */
#include "cagefs/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "profile.h"

/* The largest profile text: a file is CAGE_SECCOMP_MAX_FILE at most
 * (cage_seccomp_load_file), and so is a text given directly. */
#define MAX_TEXT ((size_t)CAGE_SECCOMP_MAX_FILE)

/* The member KEY (LEN bytes) of OBJ: the last one, so that a "duplicate
 * key" error points at the second copy. */
static const cage_json *last_member(const cage_json *obj, const char *key, size_t len)
{
	const cage_json *found = NULL;
	for (size_t i = 0; i < cage_json_object_len(obj); i++) {
		const char *k = cage_json_object_key(obj, i);
		if (strlen(k) == len && !memcmp(k, key, len))
			found = cage_json_object_value(obj, i);
	}
	return found;
}

unsigned cage_seccomp_error_line(const cage_json *profile, const char *text, size_t len, const char *msg)
{
	/* MSG starts with the JSON path the validator names ("syscalls[3].
	 * args[0].op: ...", "top level: ..."): followed as far as the tree
	 * goes, so a missing member gives the line of the object without it. */
	const cage_json *at = profile;
	const char *p = msg ? msg : "";
	while (at && *p) {
		if (*p == '[') {
			char *end;
			unsigned long i = strtoul(p + 1, &end, 10);
			if (end == p + 1 || *end != ']' || !cage_json_array_at(at, i))
				break;
			at = cage_json_array_at(at, i);
			p = end + 1 + (end[1] == '.');
			continue;
		}
		size_t n = strcspn(p, ".[: ");
		if (!n || !last_member(at, p, n))
			break;
		at = last_member(at, p, n);
		p += n;
		if (*p == '.')
			p++;
		else if (*p != '[')
			break;
	}
	return at ? cage_json_line(at, text, len) : 0;
}

int cage_seccomp_load_json(const char *text, size_t len, const char *name, cage_json **out,
			   cage_err_t *err)
{
	*out = NULL;
	if (!name)
		name = "seccomp profile";
	_cleanup_json_ cage_json *tree = NULL;
	if (cage_json_parse(text, len, name, MAX_TEXT, &tree, err) < 0)
		return -1;
	/* Content errors name the line too: an administrator's profile is
	 * edited by hand, and "syscalls[57]" is no help in a 600-line file. */
	if (cage_seccomp_validate(tree, err) < 0)
		return err ? cage_err_prefix(err, "%s:%u", name, cage_seccomp_error_line(tree, text, len, err->msg)) : -1;
	*out = CAGE_STEAL_PTR(tree);
	return 0;
}

int cage_seccomp_read_file(const char *path, char **text, size_t *len, cage_err_t *err)
{
	*text = NULL;
	*len = 0;
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
	size_t n = 0;
	for (;;) {
		/* Read to EOF, not to st_size: the file may change under us. */
		ssize_t r = read(fd, buf + n, (size_t)st.st_size + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return cage_err_sys(err, errno, "%s", path);
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (size_t)st.st_size)
			return cage_err_set(err, "%s: file grew while being read", path);
	}
	*text = CAGE_STEAL_PTR(buf);
	*len = n;
	return 0;
}

int cage_seccomp_load_file(const char *path, cage_json **out, cage_err_t *err)
{
	*out = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (cage_seccomp_read_file(path, &buf, &len, err) < 0)
		return -1;
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
